/**
 * The interfaces between protocols and transports, named as Twisted names them
 * (ITransport, ITCPTransport, IProducer, IConsumer, IConnector, IListeningPort).
 */
import type { Deferred } from '../defer/deferred';
import type { Failure } from '../defer/failure';
import type { Address } from '../transport/address';

/** Bytes a transport accepts. Strings are refused (as in Twisted): encode them yourself. */
export type Bytes = ArrayBufferView;

/** Something that produces data for a consumer (a transport) and can be throttled. */
export interface IPullProducer {
  /** Produce more data: called when the consumer wants some (pull) or may take more (push). */
  resumeProducing(): void;
  /** Stop for good: the consumer is gone. */
  stopProducing(): void;
}

export interface IPushProducer extends IPullProducer {
  /** Stop producing until resumeProducing: the consumer's buffer is full. */
  pauseProducing(): void;
}

export type IProducer = IPullProducer | IPushProducer;

export interface ITransport {
  /** Queues bytes for sending; never blocks. After the connection is closed, a silent no-op. */
  write(data: Bytes): void;
  writeSequence(data: Iterable<Bytes>): void;
  /** Closes once everything written has been sent (after the producer, if one is registered, is unregistered). */
  loseConnection(): void;
  /** Closes now, dropping anything not yet sent. Idempotent. */
  abortConnection(): void;
  getPeer(): Address;
  getHost(): Address;
}

export interface IHalfCloseableTransport extends ITransport {
  /** Shuts down the write side once everything written has been sent; reading goes on. */
  loseWriteConnection(): void;
}

export interface ITCPTransport extends IHalfCloseableTransport {
  setTcpNoDelay(enabled: boolean): void;
  getTcpNoDelay(): boolean;
  setTcpKeepAlive(enabled: boolean): void;
  getTcpKeepAlive(): boolean;
}

/** A transport is also a consumer (of a registered producer) and a push producer (of reads). */
export interface IConsumer {
  registerProducer(producer: IProducer, streaming: boolean): void;
  unregisterProducer(): void;
}

export interface IListeningPort {
  /** Stops accepting; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void>;
  getHost(): Address;
}

export interface IConnector {
  /** Stops a connection attempt in progress (clientConnectionFailed with UserError). */
  stopConnecting(): void;
  /** Disconnects: stops connecting, or loses the connection. */
  disconnect(): void;
  /** Tries again (used by ReconnectingClientFactory). */
  connect(): void;
  getDestination(): Address;
}

/**
 * What a Protocol's `transport` is for stream connections: a TCP (or UNIX) transport that is
 * also a consumer of a registered producer and a push producer of the data it reads.
 */
export interface IStreamTransport extends ITCPTransport, IConsumer, IPushProducer {
  /** True until the connection is closed. */
  readonly connected: boolean;
  /** True once loseConnection or abortConnection was called. */
  readonly disconnecting: boolean;
  /** Unsent bytes above which a registered streaming producer is paused. */
  highWaterMark: number;
  /** Bytes written but not yet handed to the kernel. */
  readonly bufferedAmount: number;
}

/**
 * A transport that can pass open descriptors to its peer: Twisted's IUNIXTransport, which
 * StreamTransport is on UNIX stream connections.
 */
export interface IUNIXTransport {
  /**
   * Sends a copy of `fd` (taken now: close yours whenever you like) with the next byte written
   * after this call; it waits for that byte, and is closed unsent if the connection ends first.
   */
  sendFileDescriptor(fd: number): void;
}

/**
 * A protocol that accepts descriptors passed by its peer: Twisted's IFileDescriptorReceiver.
 * A protocol without this method has the descriptors it is sent closed for it.
 */
export interface IFileDescriptorReceiver {
  /**
   * A descriptor arrived, before the dataReceived of the bytes that came with it. It is the
   * protocol's from this call on: close it (fs.closeSync) when done, even if this throws.
   */
  fileDescriptorReceived(fd: number): void;
}

/** Protocols that want to hear about half-closes instead of losing the connection. */
export interface IHalfCloseableProtocol {
  /** The peer will send no more; we may still write. */
  readConnectionLost(): void;
  /** Our write side was shut down (after loseWriteConnection). */
  writeConnectionLost(): void;
}

export type ConnectionLostReason = Failure;

/**
 * A stream transport carried over TLS (listenSSL, connectSSL, startTLS): what the handshake
 * settled, on top of the stream transport. Twisted's ISSLTransport.
 */
export interface ITLSTransport extends IStreamTransport {
  /** The peer's certificate as node:tls describes it (`{}` when it sent none); `detailed`: with the issuer chain. */
  getPeerCertificate(detailed?: boolean): object;
  /** The protocol ALPN settled on, or false when none was (null before the handshake completes). */
  readonly alpnProtocol: string | false | null;
  /** The SNI host name: the one a client asked for, on either side (undefined when none was sent). */
  readonly servername: string | undefined;
  /** The negotiated TLS version ('TLSv1.3', ...), null before the handshake completes. */
  getProtocol(): string | null;
}
