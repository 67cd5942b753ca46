import { constants as osConstants } from 'node:os';
import { Failure } from '../defer/failure';
import { ConnectionAborted, ConnectionDone, ConnectionLost, FileDescriptorsNotSupported } from './errors';
import { InvalidArgTypeError, InvalidArgValueError, IoReactorError, ReactorSystemError } from '../errors';
import { assertBytes, bytesSequence, describe } from '../util/validate';
import type { IProducer, IPushProducer, IStreamTransport, ITLSTransport, IUNIXTransport } from '../interfaces/transport';
import type { Protocol } from '../protocol/protocol';
import type { Address } from './address';
import type { Connector } from './connector';
import type { Logger } from '../log/logger';

/**
 * What a StreamTransport needs from its reactor's stream set: the native operations on its
 * socket, named by the transport's slot and generation (internal to the package).
 */
export interface TransportOwner {
  readonly logger: Logger;
  /** Sends or queues the bytes; returns the bytes still queued (negative: the socket is gone). */
  write(t: StreamTransport, data: ArrayBufferView): number;
  /** As write, for several chunks in order. */
  writev(t: StreamTransport, chunks: ArrayBufferView[]): number;
  setReading(t: StreamTransport, reading: boolean): void;
  /** Asks for `drained()` once everything written has been sent. */
  requestDrain(t: StreamTransport): void;
  /** Bytes queued and not yet sent (negative: the socket is gone). */
  pending(t: StreamTransport): number;
  /** Closes once everything queued is sent. */
  closeAfterFlush(t: StreamTransport): void;
  /** Closes at once, dropping what is queued. */
  abort(t: StreamTransport): void;
  /** Shuts the write side once everything queued is sent. */
  shutWriteAfterFlush(t: StreamTransport): void;
  address(t: StreamTransport, peer: boolean): Address;
  /** Queues a copy of fd to ride with the next byte written; 0 or -errno (see ReactorCore::SendDescriptor). */
  sendFileDescriptor(t: StreamTransport, fd: number): number;
  /** Sets the option when `value` is given; returns its current value. */
  socketOption(t: StreamTransport, option: 'noDelay' | 'keepAlive', value: boolean | undefined): boolean;
  /** Moves the connection under TLS (see StreamTransport.startTLS). */
  startTLS(t: StreamTransport, tlsOptions: unknown, normal: unknown): ITLSTransport;
}

const { ENOTCONN, EPIPE, EAFNOSUPPORT } = osConstants.errno;

/** Twisted's default: a registered streaming producer is paused past 64 KiB of unsent data. */
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * A connected TCP or UNIX stream whose reads and writes run in the native core: Twisted's
 * `ITCPTransport` + `IConsumer` + `IPushProducer` (the read side).
 *
 * Writes are sent at once when nothing is queued. Small writes made while the reactor is
 * dispatching a batch are coalesced into one send per connection before the next wait; a large
 * one (8 KiB or more) goes out at once, behind what was coalesced before it, in one sendmsg
 * without being copied. {@link writeSequence} sends its chunks in one sendmsg the same way.
 * Whatever the kernel cannot take yet is copied into a native buffer. Any `ArrayBufferView` is
 * accepted (a Buffer, any typed array, a DataView, views over a SharedArrayBuffer too).
 *
 * **The bytes are taken during the call**: once `write` returns, the memory may be changed or
 * reused and what the peer receives is unaffected (unlike a Node socket, which keeps a
 * reference to a Buffer until it is sent). The price is a copy of only what the kernel did not
 * take at once, which is nothing while the peer keeps up.
 *
 * `connected` turns false the moment {@link loseConnection} or {@link abortConnection} is
 * called, and every write after that is dropped, whatever was still queued (queued bytes are
 * still sent by loseConnection). The one exception is Twisted's: while a producer is
 * registered, loseConnection waits for unregisterProducer, and the producer's writes go out
 * until then. `connectionLost` follows once the socket is closed, exactly once.
 */
export class StreamTransport implements IStreamTransport, IUNIXTransport {
  /** True until the connection is closed (connectionLost has been called). */
  connected = true;
  /** True once loseConnection or abortConnection was called. */
  disconnecting = false;
  /**
   * Unsent bytes above which a registered streaming producer is paused (and below which, when
   * they are all sent, it is resumed). Twisted's `bufferSize`.
   */
  highWaterMark = DEFAULT_HIGH_WATER_MARK;
  /** @internal */ protocol: Protocol | undefined;
  /** @internal The connector of a client connection. */ connector: Connector | undefined;
  /** @internal Why the connection is being closed by us, if it is. */ closeReason: Error | undefined;
  private producer: IProducer | undefined;
  private streamingProducer = false;
  private producerPaused = false;
  private drainRequested = false;
  private writeShut = false;

  /** @internal */
  constructor(
    private readonly owner: TransportOwner,
    /** @internal */ readonly slot: number,
    /** @internal The slot's generation: with the slot, this connection's name in the native core. */ readonly generation: number,
    private peer: Address | undefined,
    private host: Address | undefined,
  ) {}

  write(data: ArrayBufferView): void {
    assertBytes(data);
    if (!this.connected || this.writeShut) return;
    this.afterWrite(this.owner.write(this, data));
  }

  /** Producer bookkeeping after a write left `pending` bytes queued. */
  private afterWrite(pending: number): void {
    const producer = this.producer;
    if (producer === undefined) return;
    if (!this.streamingProducer) {
      // A pull producer is asked for more once what it wrote has been sent (Twisted's rule).
      this.requestDrain();
    } else if (pending > this.highWaterMark && !this.producerPaused) {
      this.producerPaused = true;
      this.requestDrain();
      (producer as IPushProducer).pauseProducing();
    }
  }

  writeSequence(data: Iterable<ArrayBufferView>): void {
    const chunks = bytesSequence(data);
    if (!this.connected || this.writeShut || chunks.length === 0) return;
    // One native call: chunks that go out at once go in one sendmsg, without being copied.
    this.afterWrite(this.owner.writev(this, chunks));
  }

  /**
   * Passes an open descriptor to the peer (UNIX stream connections only; SCM_RIGHTS), whose
   * protocol gets it in `fileDescriptorReceived` before the bytes it came with. A copy is taken
   * now, so the caller may close `fd` at once. The copy rides with the next byte written after
   * this call (as in Twisted, a descriptor needs a byte to travel with: write at least one after
   * it); copies still queued when the connection ends are closed, never sent. After
   * loseConnection it is dropped, as writes are.
   *
   * Throws FileDescriptorsNotSupported (`ERR_IOREACTOR_NOT_SUPPORTED`) on a TCP connection,
   * InvalidArgTypeError / InvalidArgValueError for something that is not a descriptor number,
   * and a ReactorSystemError (`EBADF`) for a descriptor that is not open, or `ENOBUFS` past
   * 1024 descriptors waiting for their byte.
   */
  sendFileDescriptor(fd: number): void {
    if (typeof fd !== 'number') throw new InvalidArgTypeError(`file descriptor must be a number, received ${describe(fd)}`);
    if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
      throw new InvalidArgValueError(`file descriptor must be an integer from 0 to 2147483647, received ${describe(fd)}`);
    }
    if (!this.connected || this.writeShut) return;
    const rc = this.owner.sendFileDescriptor(this, fd);
    if (rc === 0 || rc === -ENOTCONN || rc === -EPIPE) return; // closing meanwhile: dropped as writes are
    if (rc === -EAFNOSUPPORT) throw new FileDescriptorsNotSupported();
    throw new ReactorSystemError(rc, 'sendFileDescriptor', `descriptor ${fd}`);
  }

  /**
   * Closes the connection once everything written so far has been sent (after the registered
   * producer, if any, is unregistered). Reading stops at once.
   */
  loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    this.disconnecting = true;
    this.owner.setReading(this, false);
    // With a producer registered, the close waits until it is unregistered (as in Twisted).
    if (this.producer === undefined) this.closeAfterFlush();
  }

  /** Closes the connection at once, dropping whatever was not sent yet. */
  abortConnection(): void {
    if (!this.connected) return;
    this.disconnecting = true;
    this.abortWith(new ConnectionAborted());
  }

  loseWriteConnection(): void {
    if (!this.connected || this.writeShut) return;
    this.writeShut = true;
    this.owner.shutWriteAfterFlush(this);
  }

  getPeer(): Address {
    if (this.peer === undefined) this.peer = this.queryAddress(true);
    return this.peer;
  }

  getHost(): Address {
    if (this.host === undefined) this.host = this.queryAddress(false);
    return this.host;
  }

  setTcpNoDelay(enabled: boolean): void {
    this.socketOption('noDelay', Boolean(enabled));
  }

  getTcpNoDelay(): boolean {
    return this.socketOption('noDelay', undefined);
  }

  setTcpKeepAlive(enabled: boolean): void {
    this.socketOption('keepAlive', Boolean(enabled));
  }

  getTcpKeepAlive(): boolean {
    return this.socketOption('keepAlive', undefined);
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.connected ? Math.max(0, this.owner.pending(this)) : 0;
  }

  /**
   * Starts TLS on this connection, as Twisted's `ITLSTransport.startTLS(contextFactory,
   * normal)`: `tlsOptions` are node:tls options (as for listenSSL/connectSSL); `normal` true
   * (the default) keeps the roles of the connection (the side that connected is the TLS
   * client), false swaps them. What was written before the call goes out in clear first.
   *
   * The protocol keeps running: its `transport` becomes the returned TLS transport, and its
   * `dataReceived` gets the decrypted bytes. Writes through this plain transport after the call
   * (a reference kept from before) are encrypted as well: they go to the TLS transport. A
   * failed handshake closes the connection with a TLSHandshakeError.
   *
   * @throws IoReactorError `ERR_IOREACTOR_TLS_NOT_CONNECTED` when the connection is closing or
   *   closed, `ERR_IOREACTOR_TLS_PRODUCER_REGISTERED` while a producer is registered,
   *   `ERR_IOREACTOR_TLS_ALREADY_STARTED` when called a second time; InvalidArgTypeError / InvalidArgValueError for bad options.
   */
  startTLS(tlsOptions: object, normal = true): ITLSTransport {
    return this.owner.startTLS(this, tlsOptions, normal);
  }

  /** @internal True while a producer is registered. */
  get hasProducer(): boolean {
    return this.producer !== undefined;
  }

  // ---- IPushProducer: the read side ------------------------------------------------------

  /** Stops reading (and so stops dataReceived) until resumeProducing. */
  pauseProducing(): void {
    if (this.connected) this.owner.setReading(this, false);
  }

  resumeProducing(): void {
    if (this.connected && !this.disconnecting) this.owner.setReading(this, true);
  }

  stopProducing(): void {
    this.loseConnection();
  }

  // ---- IConsumer --------------------------------------------------------------------------

  /**
   * Registers a producer of data for this transport. A streaming (push) producer is paused
   * when more than {@link highWaterMark} bytes are waiting and resumed once they are all sent;
   * a pull producer is asked for more (resumeProducing) once after registering, and again each
   * time what it wrote has all been sent: one that writes nothing is not called again.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (producer === null || typeof producer !== 'object' || typeof producer.resumeProducing !== 'function' || typeof producer.stopProducing !== 'function') {
      throw new InvalidArgTypeError(`producer must have resumeProducing() and stopProducing(), received ${describe(producer)}`);
    }
    if (streaming && typeof (producer as IPushProducer).pauseProducing !== 'function') {
      throw new InvalidArgTypeError('a streaming producer must have pauseProducing()');
    }
    if (this.producer !== undefined) {
      throw new IoReactorError(
        'ERR_IOREACTOR_PRODUCER_REGISTERED',
        `cannot register producer ${describe(producer)}: ${describe(this.producer)} was never unregistered`,
      );
    }
    if (!this.connected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = Boolean(streaming);
    this.producerPaused = false;
    if (!streaming) this.requestDrain();
  }

  unregisterProducer(): void {
    this.producer = undefined;
    this.producerPaused = false;
    if (this.connected && this.disconnecting) this.closeAfterFlush();
  }

  /** The high-water mark, validated. */
  setHighWaterMark(bytes: number): void {
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) {
      throw new InvalidArgValueError(`high-water mark must be an integer >= 0, received ${describe(bytes)}`);
    }
    this.highWaterMark = bytes;
  }

  // ---- from the stream set ----------------------------------------------------------------

  /** @internal Everything written has been sent (as asked by requestDrain). */
  drained(): void {
    this.drainRequested = false;
    const producer = this.producer;
    if (producer === undefined || !this.connected) return;
    if (!this.streamingProducer) {
      producer.resumeProducing();
    } else if (this.producerPaused) {
      this.producerPaused = false;
      producer.resumeProducing();
    }
  }

  /** @internal The connection is closed; tells the producer to stop. */
  closed(): void {
    this.connected = false;
    this.disconnecting = true;
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) {
      try {
        producer.stopProducing();
      } catch (err) {
        this.owner.logger.error('Unhandled error in stopProducing:', err);
      }
    }
  }

  /** @internal Closes at once; connectionLost will carry `reason`. */
  abortWith(reason: Error): void {
    if (this.closeReason === undefined) this.closeReason = reason;
    this.connected = false;
    this.owner.abort(this);
  }

  private closeAfterFlush(): void {
    this.connected = false;
    this.owner.closeAfterFlush(this);
  }

  private requestDrain(): void {
    if (this.drainRequested) return;
    this.drainRequested = true;
    this.owner.requestDrain(this);
  }

  /** @internal */
  reasonFor(error: number): Failure {
    if (this.closeReason !== undefined) return new Failure(this.closeReason);
    if (error === 0) return new Failure(new ConnectionDone());
    return new Failure(new ConnectionLost(undefined, { cause: new ReactorSystemError(error, 'recv/send') }));
  }

  /**
   * @internal Asks the socket for the addresses not known yet: the core may close the descriptor
   * before JavaScript hears of it, and getHost/getPeer must still answer after the close.
   */
  rememberAddresses(): void {
    try {
      if (this.host === undefined) this.host = this.queryAddress(false);
      if (this.peer === undefined) this.peer = this.queryAddress(true);
    } catch {
      // reset already (getpeername: ENOTCONN): getPeer will report that when asked
    }
  }

  private queryAddress(peer: boolean): Address {
    return this.owner.address(this, peer);
  }

  private socketOption(option: 'noDelay' | 'keepAlive', value: boolean | undefined): boolean {
    if (!this.connected) return false;
    return this.owner.socketOption(this, option, value);
  }
}
