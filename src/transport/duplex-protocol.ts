import { Duplex, type DuplexOptions } from 'node:stream';
import type { Failure } from '../defer/failure';
import type { IPushProducer } from '../interfaces/transport';
import { Factory } from '../protocol/factory';
import { IPv6Address, type Address, type IPv4Address } from './address';
import { Protocol } from '../protocol/protocol';
import { ConnectionDone } from './errors';
import { assertFunction, assertNonNegativeNumber } from '../util/validate';

/**
 * The Duplex of a {@link DuplexProtocol}, with the part of `net.Socket`'s surface that
 * `node:http` and its users look for: the two ends' addresses (`req.socket.remoteAddress`),
 * `setNoDelay`, `setKeepAlive`, and an idle `setTimeout` that emits `'timeout'` (which is how
 * `node:http` applies `server.timeout` and `keepAliveTimeout`).
 *
 * Addresses are those of a TCP connection; over a UNIX socket or a Node stream they are
 * `undefined`, as `net.Socket`'s are for a UNIX socket. They are read once, on first use, and
 * kept after the connection closes.
 */
export class ConnectionStream extends Duplex {
  private remote: IPv4Address | IPv6Address | null | undefined;
  private local: IPv4Address | IPv6Address | null | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  /** Made by each {@link DuplexProtocol} for its connection; there is no need to make one. */
  constructor(
    private readonly protocol: DuplexProtocol,
    options: DuplexOptions,
  ) {
    super(options);
  }

  /** The peer's IP address, as `net.Socket.remoteAddress`. */
  get remoteAddress(): string | undefined {
    return this.remoteEnd()?.host;
  }

  get remotePort(): number | undefined {
    return this.remoteEnd()?.port;
  }

  /** `'IPv4'` or `'IPv6'`, as `net.Socket.remoteFamily`. */
  get remoteFamily(): 'IPv4' | 'IPv6' | undefined {
    const remote = this.remoteEnd();
    if (remote === undefined) return undefined;
    return remote instanceof IPv6Address ? 'IPv6' : 'IPv4';
  }

  get localAddress(): string | undefined {
    return this.localEnd()?.host;
  }

  get localPort(): number | undefined {
    return this.localEnd()?.port;
  }

  /** TCP_NODELAY on (the default) or off; a no-op where the connection is not TCP. */
  setNoDelay(noDelay = true): this {
    if (this.isTCP()) this.protocol.transport.setTcpNoDelay(noDelay);
    return this;
  }

  /**
   * SO_KEEPALIVE on or off; a no-op where the connection is not TCP. `initialDelay` is
   * accepted for `net.Socket`'s signature, and ignored: the system's keep-alive timing applies.
   */
  setKeepAlive(enable = false, initialDelay?: number): this {
    void initialDelay;
    if (this.isTCP()) this.protocol.transport.setTcpKeepAlive(enable);
    return this;
  }

  /**
   * Emits `'timeout'` once the connection has been idle (nothing read, nothing written) for
   * `timeout` milliseconds, as `net.Socket.setTimeout`: the connection stays open, the listener
   * decides. 0 turns it off. `callback` is added as a one-time `'timeout'` listener (removed
   * when `timeout` is 0). The timer does not keep the process alive.
   */
  setTimeout(timeout: number, callback?: () => void): this {
    assertNonNegativeNumber(timeout, 'setTimeout() timeout (milliseconds)');
    if (callback !== undefined) assertFunction(callback, 'setTimeout() callback');
    this.clearIdleTimer();
    if (timeout === 0) {
      if (callback !== undefined) this.removeListener('timeout', callback);
      return this;
    }
    if (callback !== undefined) this.once('timeout', callback);
    if (!this.destroyed) this.idleTimer = setTimeout(() => this.emit('timeout'), timeout).unref();
    return this;
  }

  /** A read or a write happened, so the idle timer starts over (the protocol calls it). @internal */
  noteActivity(): void {
    this.idleTimer?.refresh();
  }

  /** The connection is gone, the idle timer with it (the protocol calls it). @internal */
  clearIdleTimer(): void {
    if (this.idleTimer === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private isTCP(): boolean {
    return this.protocol.connected && this.protocol.transport.getPeer().type === 'TCP';
  }

  private remoteEnd(): IPv4Address | IPv6Address | undefined {
    if (this.remote === undefined && this.protocol.connected) this.remote = tcpAddress(this.protocol.transport.getPeer());
    return this.remote ?? undefined;
  }

  private localEnd(): IPv4Address | IPv6Address | undefined {
    if (this.local === undefined && this.protocol.connected) this.local = tcpAddress(this.protocol.transport.getHost());
    return this.local ?? undefined;
  }
}

function tcpAddress(address: Address): IPv4Address | IPv6Address | null {
  return address.type === 'TCP' ? address : null;
}

/**
 * A protocol that hands its connection to Node's stream world: {@link DuplexProtocol.stream}
 * is a `Duplex` over the ioreactor transport, so `stream.pipeline`, parsers and `node:tls` run
 * over ioreactor connections.
 *
 * Backpressure goes both ways. Reading: when the Duplex's readable buffer passes its
 * highWaterMark, the transport stops reading (pauseProducing) until the consumer asks for more.
 * Writing: the Duplex registers itself as the transport's streaming producer, so once more
 * than the transport's highWaterMark is queued its write callbacks wait until the queue has
 * drained, and the Duplex's own `write()` returns false and emits `'drain'` as any Writable
 * does.
 *
 * The peer ending its side ends the readable side (half-close: the writable side stays open
 * unless `allowHalfOpen: false`); ending the writable side shuts down the connection's write
 * side once everything queued is sent. A connection lost for any other reason than a clean
 * close destroys the stream with that reason; `destroy(err)` aborts the connection.
 *
 * ```js
 * reactor.listenTCP(8000, DuplexProtocol.factory((stream) => pipeline(stream, parser, stream, done)));
 * ```
 */
export class DuplexProtocol extends Protocol {
  /** The connection as a Node Duplex (Buffers in, Buffers out), with a socket's addresses and options. */
  readonly stream: ConnectionStream;
  private writeCallback: ((error?: Error | null) => void) | undefined;
  private writesPaused = false;
  private readEnded = false;

  constructor(options: Omit<DuplexOptions, 'read' | 'write' | 'writev' | 'final' | 'destroy' | 'objectMode'> = {}) {
    super();
    this.stream = new ConnectionStream(this, {
      ...options,
      read: () => {
        if (this.connected) this.transport.resumeProducing();
      },
      write: (chunk: Buffer, _encoding, callback) => this.writeChunk(chunk, callback),
      // What was written while the stream was corked (node:tls writes a burst of records so)
      // goes to the transport as one sequence: one native call and one sendmsg, not one each.
      writev: (chunks, callback) => this.writeChunks(chunks, callback),
      final: (callback) => {
        if (this.connected) {
          this.transport.unregisterProducer();
          // Both directions done: close; otherwise shut our side and keep reading.
          if (this.readEnded) this.closeTransport(false);
          else this.shutTransportWrite();
        }
        callback();
      },
      destroy: (error, callback) => {
        this.stream.clearIdleTimer();
        if (this.connected) {
          this.transport.unregisterProducer();
          this.closeTransport(Boolean(error));
        }
        this.releaseWrite(error ?? undefined);
        callback(error);
      },
    });
  }

  /** A factory whose every connection is a DuplexProtocol, handed to `onStream` once connected. */
  static factory(onStream: (stream: ConnectionStream, protocol: DuplexProtocol) => void, options?: ConstructorParameters<typeof DuplexProtocol>[0]): Factory {
    assertFunction(onStream, 'onStream');
    const factory = new Factory();
    factory.buildProtocol = () => {
      const protocol = new DuplexProtocol(options);
      protocol.factory = factory;
      protocol.connectionMade = () => {
        DuplexProtocol.prototype.connectionMade.call(protocol);
        onStream(protocol.stream, protocol);
      };
      return protocol;
    };
    return factory;
  }

  override connectionMade(): void {
    const producer: IPushProducer = {
      pauseProducing: () => {
        this.writesPaused = true;
      },
      resumeProducing: () => {
        this.writesPaused = false;
        this.releaseWrite(undefined);
      },
      stopProducing: () => {},
    };
    this.transport.registerProducer(producer, true);
  }

  override dataReceived(data: Buffer): void {
    this.stream.noteActivity();
    if (!this.stream.push(data)) this.transport.pauseProducing();
  }

  /** The peer will send no more: the readable side ends (the writable side stays open). */
  readConnectionLost(): void {
    this.endReadable();
    if (this.stream.writableFinished && this.connected) this.closeTransport(false);
  }

  override connectionLost(reason: Failure): void {
    this.stream.clearIdleTimer();
    if (reason.check(ConnectionDone) !== null) {
      this.endReadable();
      this.releaseWrite(undefined);
      if (!this.stream.writableFinished) this.stream.destroy();
      return;
    }
    this.stream.destroy(reason.value instanceof Error ? reason.value : new Error(String(reason.value)));
  }

  private writeChunk(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (!this.connected) {
      callback(new Error('the connection is closed'));
      return;
    }
    this.stream.noteActivity();
    this.passToTransport(chunk);
    if (this.writesPaused) this.writeCallback = callback;
    else callback();
  }

  private writeChunks(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    if (!this.connected) {
      callback(new Error('the connection is closed'));
      return;
    }
    this.stream.noteActivity();
    this.passSequenceToTransport(chunks.map((entry) => entry.chunk));
    if (this.writesPaused) this.writeCallback = callback;
    else callback();
  }

  /** Hands the transport what the stream was given (a TLS carrier sends it past the transport's routed write). */
  protected passToTransport(chunk: Buffer): void {
    this.transport.write(chunk);
  }

  /** Hands the transport what the stream was given while corked, in one sequence. */
  protected passSequenceToTransport(chunks: Buffer[]): void {
    this.transport.writeSequence(chunks);
  }

  /** Closes the transport, at once when `abort` (a TLS carrier closes past the transport's routed methods). */
  protected closeTransport(abort: boolean): void {
    if (abort) this.transport.abortConnection();
    else this.transport.loseConnection();
  }

  /** Shuts the transport's write side, the read side staying open. */
  protected shutTransportWrite(): void {
    this.transport.loseWriteConnection();
  }

  private releaseWrite(error: Error | undefined): void {
    const callback = this.writeCallback;
    this.writeCallback = undefined;
    callback?.(error);
  }

  private endReadable(): void {
    if (this.readEnded) return;
    this.readEnded = true;
    this.stream.push(null);
  }
}
