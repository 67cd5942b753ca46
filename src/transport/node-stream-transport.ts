import type { Duplex } from 'node:stream';
import { Failure } from '../defer/failure';
import { InvalidArgTypeError } from '../errors';
import type { IProducer, IPushProducer, IStreamTransport } from '../interfaces/transport';
import { consoleLogger, reportError, type Logger } from '../log/logger';
import type { Protocol } from '../protocol/protocol';
import { assertBytes, bytesSequence, describe } from '../util/validate';
import { UNIXAddress, type Address } from './address';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from './errors';

export interface StreamTransportOptions {
  /** What `getPeer()` answers (default: an unnamed UNIXAddress, as for a socketpair). */
  peer?: Address;
  /** What `getHost()` answers (default: an unnamed UNIXAddress). */
  host?: Address;
  /** Where exceptions thrown by the protocol's callbacks are reported (default: the console). */
  logger?: Logger;
}

/**
 * Runs an ioreactor protocol over any Node Duplex (a `net.Socket`, a TLS socket, a pair of
 * PassThroughs, a child's stdio): the protocol's transport writes to the stream, and the
 * stream's data, end and close reach `dataReceived`, `readConnectionLost` (when the protocol
 * has it; otherwise the end of input closes the connection) and `connectionLost`.
 *
 * As with every ioreactor transport, `write` takes its bytes during the call (they are copied
 * into the stream), `pauseProducing`/`resumeProducing` pause and resume the stream's reading,
 * and a registered streaming producer is paused while the stream's `write()` returns false
 * and resumed at `'drain'`. Returns the transport.
 */
export function connectStreamToProtocol(stream: Duplex, protocol: Protocol, options: StreamTransportOptions = {}): NodeStreamTransport {
  if (
    stream === null ||
    typeof stream !== 'object' ||
    typeof (stream as Partial<Duplex>).write !== 'function' ||
    typeof (stream as Partial<Duplex>).on !== 'function'
  ) {
    throw new InvalidArgTypeError(`stream must be a Node Duplex stream, received ${describe(stream)}`);
  }
  if (protocol === null || typeof protocol !== 'object' || typeof (protocol as Partial<Protocol>).makeConnection !== 'function') {
    throw new InvalidArgTypeError(`protocol must be a Protocol, received ${describe(protocol)}`);
  }
  const transport = new NodeStreamTransport(stream, protocol, options);
  transport.start();
  return transport;
}

/** The transport {@link connectStreamToProtocol} gives a protocol running over a Node stream. */
export class NodeStreamTransport implements IStreamTransport {
  connected = true;
  disconnecting = false;
  private producer: IProducer | undefined;
  private streaming = false;
  private failure: Error | undefined;
  private readonly logger: Logger;

  /** @internal */
  constructor(
    protected readonly stream: Duplex,
    protected readonly protocol: Protocol,
    private readonly options: StreamTransportOptions,
  ) {
    this.logger = options.logger ?? consoleLogger;
  }

  /** @internal Listens to the stream, then makes the connection (or, for startTLS, only takes the protocol over). */
  start(announce = true): void {
    const { stream, protocol } = this;
    stream.on('data', (data: Buffer) => this.guard('dataReceived', () => protocol.dataReceived(Buffer.isBuffer(data) ? data : Buffer.from(data))));
    stream.on('end', () => {
      const halfClose = protocol as Protocol & { readConnectionLost?: () => void };
      if (typeof halfClose.readConnectionLost === 'function') this.guard('readConnectionLost', () => halfClose.readConnectionLost!());
      else this.loseConnection();
    });
    stream.on('drain', () => {
      if (this.producer !== undefined && this.streaming) this.guard('resumeProducing', () => this.producer!.resumeProducing());
    });
    stream.on('error', (err: Error) => {
      this.failure ??= err;
    });
    stream.on('close', () => this.closed());
    if (announce) this.guard('connectionMade', () => protocol.makeConnection(this));
    else protocol.transport = this;
  }

  write(data: ArrayBufferView): void {
    assertBytes(data);
    // Nothing to send (a detached buffer's views are empty too, and cannot be viewed again).
    if (!this.connected || this.stream.writableEnded || data.byteLength === 0) return;
    // A copy: the bytes are taken now, as every ioreactor transport takes them.
    const ok = this.stream.write(Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    if (!ok && this.producer !== undefined && this.streaming) (this.producer as IPushProducer).pauseProducing();
  }

  /** The stream's own `writableHighWaterMark`: past it, `write()` returns false and a producer is paused. */
  get highWaterMark(): number {
    return this.stream.writableHighWaterMark;
  }

  /** Bytes the stream holds and has not passed on yet (its `writableLength`). */
  get bufferedAmount(): number {
    return this.connected ? this.stream.writableLength : 0;
  }

  writeSequence(data: Iterable<ArrayBufferView>): void {
    for (const chunk of bytesSequence(data)) this.write(chunk);
  }

  loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    this.disconnecting = true;
    this.stream.end();
  }

  abortConnection(): void {
    if (!this.connected) return;
    this.disconnecting = true;
    this.failure ??= new ConnectionAborted();
    this.stream.destroy();
  }

  loseWriteConnection(): void {
    if (this.connected) this.stream.end();
  }

  getPeer(): Address {
    return this.options.peer ?? new UNIXAddress(null);
  }

  getHost(): Address {
    return this.options.host ?? new UNIXAddress(null);
  }

  /** No TCP options on a stream: these do nothing and report false. */
  setTcpNoDelay(_enabled: boolean): void {}
  getTcpNoDelay(): boolean {
    return false;
  }
  setTcpKeepAlive(_enabled: boolean): void {}
  getTcpKeepAlive(): boolean {
    return false;
  }

  pauseProducing(): void {
    this.stream.pause();
  }

  resumeProducing(): void {
    if (this.connected) this.stream.resume();
  }

  stopProducing(): void {
    this.loseConnection();
  }

  registerProducer(producer: IProducer, streaming: boolean): void {
    if (!this.connected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streaming = Boolean(streaming);
    // A pull producer is asked once; the stream's buffering stands in for "sent".
    if (!streaming) producer.resumeProducing();
  }

  unregisterProducer(): void {
    this.producer = undefined;
  }

  protected closed(): void {
    if (!this.connected) return;
    this.connected = false;
    this.disconnecting = true;
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) this.guard('stopProducing', () => producer.stopProducing());
    const reason = this.lostReason(this.failure);
    this.protocol.connected = false;
    this.guard('connectionLost', () => this.protocol.connectionLost(new Failure(reason)));
  }

  /** What connectionLost is told, given the stream's error (none: a clean close). */
  protected lostReason(failure: Error | undefined): Error {
    if (failure === undefined) return new ConnectionDone();
    return failure instanceof ConnectionAborted ? failure : new ConnectionLost(failure.message, { cause: failure });
  }

  /** Runs a protocol callback; a throw is reported and aborts the connection, as on a socket. */
  private guard(what: string, f: () => void): void {
    try {
      f();
    } catch (err) {
      reportError(this.logger, `Unhandled error in ${what}:`, err);
      if (this.connected) {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.stream.destroy();
      }
    }
  }
}
