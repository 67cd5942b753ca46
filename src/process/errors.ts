// The errors of child processes, as Twisted keeps them in internet/error.py: how a process
// ended (ProcessDone, ProcessTerminated), and a signal sent too late (ProcessExitedAlready).
import { defineBrand, IoReactorError } from '../errors';
import { ConnectionDone, ConnectionLost } from '../transport/errors';

/**
 * The process exited with code 0: Twisted's ProcessDone, the reason `processExited` and
 * `processEnded` receive. As in Twisted it is a ConnectionDone. Code: `ERR_IOREACTOR_PROCESS_DONE`.
 */
export class ProcessDone extends ConnectionDone {
  override readonly code = 'ERR_IOREACTOR_PROCESS_DONE';
  readonly exitCode = 0;
  readonly signal = null;

  constructor() {
    super('A process has ended without apparent errors: process finished with exit code 0.');
  }
}
defineBrand(ProcessDone, 'ProcessDone');

/**
 * The process exited with a non-zero code or was killed by a signal: Twisted's
 * ProcessTerminated (a ConnectionLost). `exitCode` is null when a signal ended it, `signal`
 * (the signal's number, as Twisted gives it) null when it exited. Code: `ERR_IOREACTOR_PROCESS_TERMINATED`.
 */
export class ProcessTerminated extends ConnectionLost {
  readonly exitCode: number | null;
  readonly signal: number | null;

  constructor(exitCode: number | null, signal: number | null) {
    const how = signal !== null ? `process ended by signal ${signal}` : `process ended with exit code ${exitCode}`;
    super(`A process has ended with a probable error condition: ${how}.`, { code: 'ERR_IOREACTOR_PROCESS_TERMINATED' });
    this.exitCode = exitCode;
    this.signal = signal;
  }
}
defineBrand(ProcessTerminated, 'ProcessTerminated');

/** signalProcess was called after the process's exit was seen: Twisted's ProcessExitedAlready. Code: `ERR_IOREACTOR_PROCESS_EXITED_ALREADY`. */
export class ProcessExitedAlready extends IoReactorError {
  constructor(message = 'the process has already exited') {
    super('ERR_IOREACTOR_PROCESS_EXITED_ALREADY', message);
  }
}
defineBrand(ProcessExitedAlready, 'ProcessExitedAlready');
