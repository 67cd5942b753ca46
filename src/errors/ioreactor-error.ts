import { brandError, defineBrand } from './brand';

/**
 * Base class of ioreactor's own errors (reactor state, timers, Deferreds). Every instance has
 * a stable `code` string of the form `ERR_IOREACTOR_...` that programs may switch on; messages
 * are for people and may change.
 *
 * Argument errors extend the built-in TypeError / RangeError instead (see invalid-argument.ts).
 */
export class IoReactorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    brandError(this, 'IoReactorError');
  }

  override get name(): string {
    return this.constructor.name;
  }
}
defineBrand(IoReactorError, 'IoReactorError');
