import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * `LoopingCall.stop()` or `reset()` was called on a LoopingCall that is not running (never
 * started, already stopped, or stopped by a failure of its function).
 *
 * Code: `ERR_IOREACTOR_LOOPING_CALL_NOT_RUNNING`.
 */
export class LoopingCallNotRunning extends IoReactorError {
  constructor(message = 'the LoopingCall is not running', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_LOOPING_CALL_NOT_RUNNING', message, options);
    brandError(this, 'LoopingCallNotRunning');
  }

  override get name(): string {
    return 'LoopingCallNotRunning';
  }
}
defineBrand(LoopingCallNotRunning, 'LoopingCallNotRunning');
