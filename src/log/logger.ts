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

/**
 * Reports through `logger`, for callers that must go on whatever happens (the reactor's
 * dispatch): a logger that throws is ignored, as there is nowhere better to say so.
 * @internal
 */
export function reportError(logger: Logger, message: string, error: unknown): void {
  try {
    logger.error(message, error);
  } catch {
    // the logger itself failed
  }
}
