import type { Failure } from '../defer/failure';
import type { IStreamTransport } from '../interfaces/transport';
import type { Factory } from './factory';

/**
 * The base of every stream protocol, as Twisted's `Protocol`: override the event methods.
 *
 * Data contract: the `data` passed to {@link Protocol.dataReceived} is yours to keep — bytes that
 * nothing else will write to — unless the protocol opts into {@link borrowData}. They cost one
 * copy, the kernel's: a read of 4 KiB or more is handed over as a view of the read arena it was
 * read into (the reactor never writes to that part of the arena again, and moves to a fresh arena
 * once most of one is handed out), a smaller read is copied out of the arena into Node's Buffer
 * pool. A kept view keeps its whole arena (1 MiB) alive, as a kept slice of Node's pool keeps its
 * pool: a protocol that holds many small pieces of large reads for long should copy them
 * (`Buffer.from(piece)`).
 *
 * Chunk boundaries carry no meaning (TCP is a stream): one write by the peer may arrive in
 * several calls and several writes in one.
 */
export class Protocol {
  /**
   * Opt-in borrowed reads: when true, `dataReceived` gets a view into the reactor's read arena,
   * valid only during that call (the next batch overwrites it), and the arena is reused instead of
   * handed out. Copy whatever you keep. Right for relays that write what they read straight back
   * out (a write takes its bytes during the call) and parsers that consume bytes at once: no
   * memory changes hands per read, so there is nothing for the garbage collector to reclaim.
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
