/**
 * The protocol of a child process, as Twisted's `ProcessProtocol`: override the event methods.
 */
import type { Failure } from '../defer/failure';
import type { ProcessTransport } from './process-transport';

export class ProcessProtocol {
  /** Set before {@link connectionMade} runs: the process, to write to and signal. */
  transport!: ProcessTransport;

  /** Called by spawnProcess once the child is running: sets `transport`, then connectionMade(). */
  makeConnection(transport: ProcessTransport): void {
    this.transport = transport;
    this.connectionMade();
  }

  /** The child is running; `this.transport` is usable. */
  connectionMade(): void {}

  /**
   * Bytes arrived on the child's descriptor `childFD` (1: stdout, 2: stderr, or an extra
   * descriptor from `childFDs`). The bytes are yours to keep. The default routes 1 to
   * {@link outReceived} and 2 to {@link errReceived}.
   */
  childDataReceived(childFD: number, data: Buffer): void {
    if (childFD === 1) this.outReceived(data);
    else if (childFD === 2) this.errReceived(data);
  }

  /** Bytes from the child's standard output. */
  outReceived(_data: Buffer): void {}

  /** Bytes from the child's standard error. */
  errReceived(_data: Buffer): void {}

  /**
   * The pipe to or from the child's descriptor `childFD` is closed (end of file, closeStdin,
   * closeChildFD, or the reactor shutting down). The default routes 0, 1 and 2 to
   * {@link inConnectionLost}, {@link outConnectionLost} and {@link errConnectionLost}.
   */
  childConnectionLost(childFD: number): void {
    if (childFD === 0) this.inConnectionLost();
    else if (childFD === 1) this.outConnectionLost();
    else if (childFD === 2) this.errConnectionLost();
  }

  /** The child's standard input is closed. */
  inConnectionLost(): void {}

  /** The child's standard output is closed. */
  outConnectionLost(): void {}

  /** The child's standard error is closed. */
  errConnectionLost(): void {}

  /**
   * The child has exited (its pipes may still hold data): `reason.value` is a ProcessDone
   * (exit code 0) or a ProcessTerminated (`exitCode`, `signal`). Called once.
   */
  processExited(_reason: Failure): void {}

  /** The child has exited and every pipe to it is closed; the same reason as processExited. Called once, last. */
  processEnded(_reason: Failure): void {}
}
