import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * `LoopingCall.start()` was called on a LoopingCall that is running; stop it first.
 *
 * Code: `ERR_IOREACTOR_LOOPING_CALL_ALREADY_RUNNING`.
 */
export class LoopingCallAlreadyRunning extends IoReactorError {
  constructor(message = 'the LoopingCall is already running', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_LOOPING_CALL_ALREADY_RUNNING', message, options);
    brandError(this, 'LoopingCallAlreadyRunning');
  }

  override get name(): string {
    return 'LoopingCallAlreadyRunning';
  }
}
defineBrand(LoopingCallAlreadyRunning, 'LoopingCallAlreadyRunning');
