/**
 * Where ioreactor reports errors that nobody handled: a Deferred collected with an unhandled
 * Failure, a protocol or descriptor callback that threw. Reactors and the Deferred machinery
 * take a Logger so tests and applications can route these reports.
 */
export interface Logger {
  error(message: string, error?: unknown): void;
}

/** The default logger: writes to stderr through console.error. */
export const consoleLogger: Logger = {
  error(message: string, error?: unknown): void {
    if (error === undefined) console.error(message);
    else console.error(message, error);
  },
};
