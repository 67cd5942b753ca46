// The reactor lifecycle errors, named as Twisted's twisted.internet.error names them. They are
// one family (a reactor in the wrong state for the call). The reactor's other errors are
// ReactorSystemError (src/errors.ts) and the connection errors (transport/errors.ts).
import { defineBrand, IoReactorError } from '../errors';

/** `stop()` (or something needing a running reactor) on a reactor that is not running. */
export class ReactorNotRunning extends IoReactorError {
  constructor(message = "can't stop a reactor that isn't running") {
    super('ERR_IOREACTOR_NOT_RUNNING', message);
  }
}
defineBrand(ReactorNotRunning, 'ReactorNotRunning');

/** `run()` on a reactor that is already running. */
export class ReactorAlreadyRunning extends IoReactorError {
  constructor(message = 'the reactor is already running') {
    super('ERR_IOREACTOR_ALREADY_RUNNING', message);
  }
}
defineBrand(ReactorAlreadyRunning, 'ReactorAlreadyRunning');

/** `run()` on a reactor that has run and stopped: create a new Reactor instead. */
export class ReactorNotRestartable extends IoReactorError {
  constructor(message = 'a reactor cannot be restarted once stopped; create a new Reactor') {
    super('ERR_IOREACTOR_NOT_RESTARTABLE', message);
  }
}
defineBrand(ReactorNotRestartable, 'ReactorNotRestartable');

/** Any call on a reactor after `close()`. */
export class ReactorClosed extends IoReactorError {
  constructor(message = 'the reactor is closed') {
    super('ERR_IOREACTOR_CLOSED', message);
  }
}
defineBrand(ReactorClosed, 'ReactorClosed');
