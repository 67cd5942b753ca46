import { Duplex, type DuplexOptions } from 'node:stream';
import type { Failure } from '../defer/failure';
import type { IPushProducer } from '../interfaces/transport';
import { Factory } from '../protocol/factory';
import { Protocol } from '../protocol/protocol';
import { ConnectionDone } from './errors';
import { assertFunction } from '../util/validate';

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
  /** The connection as a Node Duplex (Buffers in, Buffers out). */
  readonly stream: Duplex;
  private writeCallback: ((error?: Error | null) => void) | undefined;
  private writesPaused = false;
  private readEnded = false;

  constructor(options: Omit<DuplexOptions, 'read' | 'write' | 'final' | 'destroy' | 'objectMode'> = {}) {
    super();
    this.stream = new Duplex({
      ...options,
      read: () => {
        if (this.connected) this.transport.resumeProducing();
      },
      write: (chunk: Buffer, _encoding, callback) => this.writeChunk(chunk, callback),
      final: (callback) => {
        if (this.connected) {
          this.transport.unregisterProducer();
          // Both directions done: close; otherwise shut our side and keep reading.
          if (this.readEnded) this.transport.loseConnection();
          else this.transport.loseWriteConnection();
        }
        callback();
      },
      destroy: (error, callback) => {
        if (this.connected) {
          this.transport.unregisterProducer();
          if (error) this.transport.abortConnection();
          else this.transport.loseConnection();
        }
        this.releaseWrite(error ?? undefined);
        callback(error);
      },
    });
  }

  /** A factory whose every connection is a DuplexProtocol, handed to `onStream` once connected. */
  static factory(onStream: (stream: Duplex, protocol: DuplexProtocol) => void, options?: ConstructorParameters<typeof DuplexProtocol>[0]): Factory {
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
    if (!this.stream.push(data)) this.transport.pauseProducing();
  }

  /** The peer will send no more: the readable side ends (the writable side stays open). */
  readConnectionLost(): void {
    this.endReadable();
    if (this.stream.writableFinished && this.connected) this.transport.loseConnection();
  }

  override connectionLost(reason: Failure): void {
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
    this.transport.write(chunk);
    if (this.writesPaused) this.writeCallback = callback;
    else callback();
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
