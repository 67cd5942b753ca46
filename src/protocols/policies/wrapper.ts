import type { Failure } from '../../defer/failure';
import { InvalidArgTypeError } from '../../errors';
import { describe } from '../../util/validate';
import type { Bytes, IConnector, IProducer, IStreamTransport } from '../../interfaces/transport';
import { ClientFactory } from '../../protocol/client-factory';
import { assertFactory, type Factory } from '../../protocol/factory';
import { Protocol } from '../../protocol/protocol';
import type { Address } from '../../transport/address';

/** The transport a ProtocolWrapper sits on: a stream transport (or a test double of one). */
type WrappedTransport = IStreamTransport;

/**
 * Wraps a protocol and acts as its transport: Twisted's `policies.ProtocolWrapper`. Every
 * event of the real transport goes through the wrapper to the wrapped protocol, and every call
 * the wrapped protocol makes on its transport goes through the wrapper to the real one, so a
 * subclass can watch or change either direction (count bytes, reset a timer, pause reads).
 *
 * The wrapper mirrors the wrapped protocol's `borrowData` and half-close support: it has
 * `readConnectionLost`/`writeConnectionLost` only when the wrapped protocol has them.
 */
export class ProtocolWrapper<P extends Protocol = Protocol> extends Protocol implements IStreamTransport {
  /** The protocol this wrapper relays to. */
  readonly wrappedProtocol: P;
  declare factory: WrappingFactory;
  /** Set by loseConnection (Twisted's attribute); also true when the real transport is closing. */
  #closing = false;

  constructor(factory: WrappingFactory, wrappedProtocol: P) {
    super();
    if (!(factory instanceof WrappingFactory)) {
      throw new InvalidArgTypeError(`ProtocolWrapper needs a WrappingFactory, received ${describe(factory)}`);
    }
    if (!(wrappedProtocol instanceof Protocol)) {
      throw new InvalidArgTypeError(`ProtocolWrapper needs a Protocol to wrap, received ${describe(wrappedProtocol)}`);
    }
    this.factory = factory;
    this.wrappedProtocol = wrappedProtocol;
    this.borrowData = wrappedProtocol.borrowData === true;
    // The reactor enables half-close for protocols that have readConnectionLost: offer it only
    // when the wrapped protocol can take it, or its peer's half-close would no longer close it.
    const halfClose = wrappedProtocol as Partial<Record<'readConnectionLost' | 'writeConnectionLost', () => void>>;
    if (typeof halfClose.readConnectionLost === 'function') {
      (this as unknown as Record<string, () => void>).readConnectionLost = () => halfClose.readConnectionLost!();
    }
    if (typeof halfClose.writeConnectionLost === 'function') {
      (this as unknown as Record<string, () => void>).writeConnectionLost = () => halfClose.writeConnectionLost!();
    }
  }

  /** True once loseConnection was called here or on the real transport. */
  get disconnecting(): boolean {
    return this.#closing || (this.transport as WrappedTransport | undefined)?.disconnecting === true;
  }

  /** The real transport's high-water mark. */
  get highWaterMark(): number {
    return (this.transport as WrappedTransport | undefined)?.highWaterMark ?? 0;
  }

  set highWaterMark(bytes: number) {
    (this.transport as WrappedTransport).highWaterMark = bytes;
  }

  /** The real transport's unsent bytes. */
  get bufferedAmount(): number {
    return (this.transport as WrappedTransport | undefined)?.bufferedAmount ?? 0;
  }

  override logPrefix(): string {
    return `${this.wrappedProtocol.logPrefix()} (${this.constructor.name})`;
  }

  /** Registers with the factory, then connects the wrapped protocol to this wrapper. */
  override makeConnection(transport: IStreamTransport): void {
    super.makeConnection(transport);
    this.factory.registerProtocol(this);
    this.wrappedProtocol.makeConnection(this);
  }

  // ---- the transport the wrapped protocol sees ----------------------------------------------

  get #real(): WrappedTransport {
    return this.transport as WrappedTransport;
  }

  write(data: Bytes): void {
    this.#real.write(data);
  }

  writeSequence(data: Iterable<Bytes>): void {
    this.#real.writeSequence(data);
  }

  loseConnection(): void {
    this.#closing = true;
    this.#real.loseConnection();
  }

  abortConnection(): void {
    this.#closing = true;
    this.#real.abortConnection();
  }

  loseWriteConnection(): void {
    this.#real.loseWriteConnection();
  }

  getPeer(): Address {
    return this.#real.getPeer();
  }

  getHost(): Address {
    return this.#real.getHost();
  }

  setTcpNoDelay(enabled: boolean): void {
    this.#real.setTcpNoDelay(enabled);
  }

  getTcpNoDelay(): boolean {
    return this.#real.getTcpNoDelay();
  }

  setTcpKeepAlive(enabled: boolean): void {
    this.#real.setTcpKeepAlive(enabled);
  }

  getTcpKeepAlive(): boolean {
    return this.#real.getTcpKeepAlive();
  }

  registerProducer(producer: IProducer, streaming: boolean): void {
    this.#real.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.#real.unregisterProducer();
  }

  /** The wrapped protocol pauses the reads of the connection. */
  pauseProducing(): void {
    this.#real.pauseProducing();
  }

  resumeProducing(): void {
    this.#real.resumeProducing();
  }

  stopProducing(): void {
    this.#real.stopProducing();
  }

  // ---- the protocol the real transport sees -------------------------------------------------

  override dataReceived(data: Buffer): void {
    this.wrappedProtocol.dataReceived(data);
  }

  override connectionLost(reason: Failure): void {
    this.factory.unregisterProtocol(this);
    this.wrappedProtocol.connected = false;
    this.wrappedProtocol.connectionLost(reason);
  }
}

/**
 * Wraps a factory and the protocols it builds, and keeps track of them: Twisted's
 * `policies.WrappingFactory`. Override {@link wrapProtocol} to use another wrapper class.
 * Start, stop and client-connection events are passed on to the wrapped factory; a null from
 * its buildProtocol (a refusal) is passed on as well.
 */
export class WrappingFactory<W extends ProtocolWrapper = ProtocolWrapper> extends ClientFactory<W> {
  /** The factory whose protocols are wrapped. */
  readonly wrappedFactory: Factory;
  /** The wrappers whose connections are open. */
  readonly protocols = new Set<W>();

  constructor(wrappedFactory: Factory) {
    super();
    assertFactory(wrappedFactory, 'wrappedFactory');
    this.wrappedFactory = wrappedFactory;
  }

  logPrefix(): string {
    const inner = this.wrappedFactory as { logPrefix?: () => string };
    return `${typeof inner.logPrefix === 'function' ? inner.logPrefix() : this.wrappedFactory.constructor.name} (${this.constructor.name})`;
  }

  override doStart(): void {
    this.wrappedFactory.doStart();
    super.doStart();
  }

  override doStop(): void {
    this.wrappedFactory.doStop();
    super.doStop();
  }

  override startedConnecting(connector: IConnector): void {
    (this.wrappedFactory as Partial<ClientFactory>).startedConnecting?.(connector);
  }

  override clientConnectionFailed(connector: IConnector, reason: Failure): void {
    (this.wrappedFactory as Partial<ClientFactory>).clientConnectionFailed?.(connector, reason);
  }

  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    (this.wrappedFactory as Partial<ClientFactory>).clientConnectionLost?.(connector, reason);
  }

  /** Builds the wrapped factory's protocol for `addr` and wraps it (null if it refused). */
  override buildProtocol(addr: Address): W | null {
    const inner = this.wrappedFactory.buildProtocol(addr);
    if (inner === null) return null;
    return this.wrapProtocol(inner, addr);
  }

  /** Makes the wrapper for `protocol`. Override to use a ProtocolWrapper subclass. */
  wrapProtocol(protocol: Protocol, _addr: Address): W {
    return new ProtocolWrapper(this, protocol) as W;
  }

  /** Called by a wrapper when its connection is made. */
  registerProtocol(p: W): void {
    this.protocols.add(p);
  }

  /** Called by a wrapper when its connection is lost. */
  unregisterProtocol(p: W): void {
    this.protocols.delete(p);
  }
}
