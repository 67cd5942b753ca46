import type { Failure } from '../defer/failure';
import type { IStreamTransport } from '../interfaces/transport';
import type { Factory } from './factory';

/**
 * The base of every stream protocol, as Twisted's `Protocol`: override the event methods.
 *
 * Data contract: the `data` passed to {@link Protocol.dataReceived} is yours to keep — a fresh
 * Buffer that nothing else will write to — unless the protocol opts into {@link borrowData}.
 * Chunk boundaries carry no meaning (TCP is a stream): one write by the peer may arrive in
 * several calls and several writes in one.
 */
export class Protocol {
  /**
   * Opt-in zero-copy reads: when true, `dataReceived` gets a view into the reactor's read arena
   * instead of a copy. The view is valid only during that call; the next batch overwrites it.
   * Copy whatever you keep (parsers that consume bytes at once gain a copy per read).
   */
  borrowData = false;
  /** True between makeConnection and connectionLost. */
  connected = false;
  /** Set before {@link connectionMade} runs; the transport to write to. */
  transport!: IStreamTransport;
  /** The factory that built this protocol (set by Factory.buildProtocol). */
  factory: Factory | undefined;

  /** Called by the transport when the connection is up: sets `transport`, then connectionMade(). */
  makeConnection(transport: IStreamTransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The connection is up; `this.transport` is usable. */
  connectionMade(): void {}

  /** Bytes arrived. See the class documentation for the data contract. */
  dataReceived(_data: Buffer): void {}

  /**
   * The connection is gone. `reason.value` is a ConnectionDone (closed cleanly), a
   * ConnectionLost (reset, or some other failure; its `cause` holds the system error) or a
   * ConnectionAborted (abortConnection was called; as in Twisted, a ConnectionAborted is also a
   * ConnectionLost, so test for it first).
   */
  connectionLost(_reason: Failure): void {}

  /** A short name for log lines about this protocol. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
