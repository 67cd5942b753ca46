import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Failure } from '../defer/failure';
import { InvalidArgTypeError, IoReactorError } from '../errors';
import type { IProducer, IPushProducer, IStreamTransport, ITLSTransport } from '../interfaces/transport';
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
  /**
   * True when this end accepted the connection, so that `startTLS` (with `normal` true) plays
   * the TLS server. Default: true for a `net.Socket` a `net.Server` accepted, else false.
   */
  accepted?: boolean;
}

/**
 * How a Node-stream transport moves under TLS. tls/ sits above transport/, so it is passed in
 * from there (as the reactor passes startTLS to its stream set). Internal to the package.
 */
export type StreamTLSStarter = (plain: NodeStreamTransport, tlsOptions: unknown, normal: unknown) => ITLSTransport;

type StreamListener = Parameters<Duplex['on']>[1];

/** connectStreamToProtocol (tls/start-tls.ts), given what its transport's startTLS runs. Internal to the package. */
export function connectStream(
  stream: Duplex,
  protocol: Protocol,
  options: StreamTransportOptions,
  startTLS: StreamTLSStarter | undefined,
): NodeStreamTransport {
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
  if (options === null || typeof options !== 'object') throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
  if (options.accepted !== undefined && typeof options.accepted !== 'boolean') {
    throw new InvalidArgTypeError(`options.accepted must be a boolean, received ${describe(options.accepted)}`);
  }
  const transport = new NodeStreamTransport(stream, protocol, options, startTLS);
  transport.start();
  return transport;
}

/** The transport connectStreamToProtocol gives a protocol running over a Node stream. */
export class NodeStreamTransport implements IStreamTransport {
  connected = true;
  disconnecting = false;
  private producer: IProducer | undefined;
  private streaming = false;
  private failure: Error | undefined;
  private readonly logger: Logger;
  /** What this transport listens to on the stream, so that startTLS can hand the stream over. */
  private readonly listeners: [string, StreamListener][] = [];

  /** @internal */
  constructor(
    protected readonly stream: Duplex,
    protected readonly protocol: Protocol,
    private readonly options: StreamTransportOptions,
    private readonly tlsStarter?: StreamTLSStarter,
  ) {
    this.logger = options.logger ?? consoleLogger;
  }

  /** @internal Listens to the stream, then makes the connection (or, for startTLS, only takes the protocol over). */
  start(announce = true): void {
    const { protocol } = this;
    this.listen('data', (data: Buffer) => this.guard('dataReceived', () => protocol.dataReceived(Buffer.isBuffer(data) ? data : Buffer.from(data))));
    this.listen('end', () => {
      const halfClose = protocol as Protocol & { readConnectionLost?: () => void };
      if (typeof halfClose.readConnectionLost === 'function') this.guard('readConnectionLost', () => halfClose.readConnectionLost!());
      else this.loseConnection();
    });
    this.listen('drain', () => {
      if (this.producer !== undefined && this.streaming) this.guard('resumeProducing', () => this.producer!.resumeProducing());
    });
    this.listen('error', (err: Error) => {
      this.failure ??= err;
    });
    this.listen('close', () => this.closed());
    if (announce) this.guard('connectionMade', () => protocol.makeConnection(this));
    else protocol.transport = this;
  }

  private listen(event: string, listener: StreamListener): void {
    this.stream.on(event, listener);
    this.listeners.push([event, listener]);
  }

  /**
   * Starts TLS on this connection, as Twisted's `ITLSTransport.startTLS(contextFactory,
   * normal)`: `tlsOptions` are node:tls options; `normal` true (the default) keeps the roles
   * (the end that accepted the connection is the TLS server, see the `accepted` option), false
   * swaps them. A node:tls TLSSocket takes the stream over from then on: the protocol keeps
   * running, its `transport` becomes the returned TLS transport (which this call returns too),
   * and writes to this transport after the call go into TLS as well.
   *
   * @throws IoReactorError `ERR_IOREACTOR_TLS_NOT_CONNECTED` when the connection is closing or
   *   closed, `ERR_IOREACTOR_TLS_PRODUCER_REGISTERED` while a producer is registered,
   *   `ERR_IOREACTOR_TLS_UNAVAILABLE` on a transport that is already TLS; InvalidArgTypeError /
   *   InvalidArgValueError for bad options.
   */
  startTLS(tlsOptions: object, normal = true): ITLSTransport {
    if (this.tlsStarter === undefined)
      throw new IoReactorError('ERR_IOREACTOR_TLS_UNAVAILABLE', 'startTLS: this transport cannot start TLS (it already runs over TLS)');
    return this.tlsStarter(this, tlsOptions, normal);
  }

  /** @internal True while a producer is registered. */
  get hasProducer(): boolean {
    return this.producer !== undefined;
  }

  /** @internal True when this end accepted the connection (the TLS server, for startTLS). */
  get acceptedSide(): boolean {
    return this.options.accepted ?? (this.stream instanceof Socket && (this.stream as Socket & { server?: unknown }).server != null);
  }

  /** Set once startTLS has taken the stream over (handOver): a second startTLS is refused. */
  handedOver = false;

  /**
   * @internal startTLS: gives the stream and the protocol up (a TLSSocket reads the stream from
   * now on; what it has buffered waits for it, paused) and returns them. This transport stays
   * `connected` until `handedOverClosed`.
   */
  handOver(): { stream: Duplex; protocol: Protocol; logger: Logger } {
    this.handedOver = true;
    this.stream.pause();
    for (const [event, listener] of this.listeners) this.stream.off(event, listener);
    this.listeners.length = 0;
    return { stream: this.stream, protocol: this.protocol, logger: this.logger };
  }

  /** @internal The TLS connection that took this one over has closed. */
  handedOverClosed(): void {
    this.connected = false;
    this.disconnecting = true;
  }

  write(data: ArrayBufferView): void {
    assertBytes(data);
    // Nothing to send (a detached buffer's views are empty too, and cannot be viewed again).
    if (!this.connected || this.stream.writableEnded || data.byteLength === 0) return;
    const ok = this.stream.write(this.bytesToWrite(data));
    if (!ok && this.producer !== undefined && this.streaming) (this.producer as IPushProducer).pauseProducing();
  }

  /**
   * What `write` hands the stream for `data`. A copy: a Node stream may keep a reference to a
   * Buffer until it is sent, while an ioreactor transport takes the bytes during the call.
   */
  protected bytesToWrite(data: ArrayBufferView): Buffer {
    return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
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
