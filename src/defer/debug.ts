/**
 * Deferred debugging switch (Twisted's `defer.setDebugging` / `getDebugging`).
 *
 * Debugging is off by default because capturing a stack costs microseconds, far more than a
 * whole synchronous callback chain. When it is on, every Deferred records the stack that created
 * it and the stack that first fired it; both appear in `AlreadyCalledError` messages and in
 * "Unhandled error in Deferred" reports, and Failures wrapping values that carry no stack of
 * their own (a thrown string, say) record where they were wrapped.
 */

/** @internal The switch itself, read on the hot path as a property load. */
export const debugState = { on: false };

/**
 * Turns Deferred debugging on or off. Affects Deferreds created (and fired) afterwards.
 *
 * @param on - true to record creation and first-fire stacks.
 */
export function setDebugging(on: boolean): void {
  debugState.on = Boolean(on);
}

/** True while Deferred debugging is on. */
export function getDebugging(): boolean {
  return debugState.on;
}

/**
 * @internal A stack trace of the caller, without the first `skip` frames below the capturing
 * function and without the "Error" header line.
 */
export function captureStack(skip: number): string {
  const holder: { stack?: string } = {};
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  Error.captureStackTrace(holder, captureStack);
  Error.stackTraceLimit = previous;
  const lines = (holder.stack ?? '').split('\n');
  // lines[0] is the "Error" header.
  return lines.slice(1 + skip).join('\n');
}

/**
 * @internal The debugging record of one Deferred. It never refers to its Deferred, so the
 * unhandled-error registry can hold it after the Deferred has been collected.
 */
export class DebugInfo {
  /** Stack at creation (debug mode only). */
  creator: string | undefined = undefined;
  /** Stack at the first callback/errback call (debug mode only). */
  invoker: string | undefined = undefined;

  /** Formats both stacks the way Twisted's `_getDebugTracebacks` does (C: / I: prefixes). */
  format(): string {
    let info = '';
    if (this.creator !== undefined) {
      info += ' C: Deferred was created:\n C:' + this.creator.trimEnd().replace(/\n/g, '\n C:') + '\n';
    }
    if (this.invoker !== undefined) {
      info += ' I: First Invoker was:\n I:' + this.invoker.trimEnd().replace(/\n/g, '\n I:') + '\n';
    }
    return info;
  }
}
