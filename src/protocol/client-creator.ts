import { Deferred } from '../defer/deferred';
import type { Failure } from '../defer/failure';
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import type { IConnector } from '../interfaces/transport';
import type { ConnectTCPOptions, ConnectUNIXOptions } from '../reactor/stream-endpoints';
import type { Address } from '../transport/address';
import { ClientFactory } from './client-factory';
import type { Protocol } from './protocol';

/**
 * What {@link ClientCreator} needs from a reactor: a clock and the two connect methods, with
 * Twisted's connector behaviour (startedConnecting, then buildProtocol + makeConnection or
 * clientConnectionFailed; `stopConnecting()` fails the attempt). A `Reactor` provides it.
 */
export interface ConnectingReactor extends IReactorTime {
  connectTCP(host: string, port: number, factory: ClientFactory, options?: ConnectTCPOptions): IConnector;
  connectUNIX(path: string, factory: ClientFactory, options?: ConnectUNIXOptions): IConnector;
}

/**
 * Where one connection attempt stands: `connecting` until the connector reports; `built` once
 * the instance is connected; `failed` once the attempt failed; `cancelled` once the Deferred
 * was cancelled before it fired.
 */
type AttemptState = 'connecting' | 'built' | 'failed' | 'cancelled';

/**
 * The factory behind one ClientCreator attempt: Twisted's `_InstanceFactory`. It hands the
 * pre-built instance to the connector and fires the Deferred on the next reactor turn
 * (`callLater(0)`), so the Deferred fires after `makeConnection` and a canceller still has a
 * window to undo a connection the caller no longer wants.
 *
 * @internal
 */
export class InstanceFactory<P extends Protocol> extends ClientFactory<P> {
  /** The delayed call that will fire the Deferred, between the connector's report and the firing. */
  pending: IDelayedCall | undefined = undefined;
  /** The connector of this attempt (from connectTCP/connectUNIX, or startedConnecting). */
  connector: IConnector | undefined = undefined;
  private state: AttemptState = 'connecting';
  private deferred: Deferred<P> | undefined;

  constructor(
    private readonly reactor: IReactorTime,
    readonly instance: P,
    deferred: Deferred<P>,
  ) {
    super();
    this.deferred = deferred;
  }

  override startedConnecting(connector: IConnector): void {
    this.connector ??= connector;
  }

  /** Returns the instance and arranges for the Deferred to fire with it. */
  override buildProtocol(_addr: Address): P | null {
    // Cancelled while the connector was still finishing: refuse the connection (the connector
    // closes it at once) rather than connect a protocol nobody will receive.
    if (this.state !== 'connecting') return null;
    this.state = 'built';
    this.schedule((d) => d.callback(this.instance));
    return this.instance;
  }

  /** Arranges for the Deferred to fail with `reason`. */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    // After a cancel the failure is the UserAbortedConnect it caused: the Deferred already
    // failed with CancelledError.
    if (this.state !== 'connecting') return;
    this.state = 'failed';
    this.schedule((d) => d.errback(reason));
  }

  /** The Deferred's canceller: undoes whatever stage the attempt has reached. */
  cancel(): void {
    const state = this.state;
    this.state = 'cancelled';
    this.deferred = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined && pending.active()) pending.cancel();
    if (state === 'connecting') {
      this.connector?.stopConnecting();
    } else if (state === 'built') {
      // Connected, but the caller gave up before seeing the protocol: drop the connection now.
      const transport = this.instance.transport as Protocol['transport'] | undefined;
      if (transport !== undefined) transport.abortConnection();
      else this.connector?.disconnect();
    }
  }

  private schedule(fire: (d: Deferred<P>) => void): void {
    const d = this.deferred as Deferred<P>;
    // The Deferred is released once handed to the delayed call, as Twisted drops its reference.
    this.deferred = undefined;
    this.pending = this.reactor.callLater(0, () => {
      this.pending = undefined;
      fire(d);
    });
  }
}

/**
 * Connects a protocol without writing a factory: Twisted's `ClientCreator`. Each connect method
 * builds `new protocolClass(...args)`, starts a connection attempt and returns a Deferred that
 * fires with the instance once it is connected (after its `connectionMade`), or fails with the
 * attempt's ConnectError.
 *
 * Cancelling the Deferred aborts the attempt: while connecting, the connector's
 * `stopConnecting()` is called; if the connection was made but the Deferred has not fired yet,
 * the connection is dropped with `transport.abortConnection()`. Either way the Deferred fails
 * with a CancelledError.
 *
 * @example
 * ```ts
 * const creator = new ClientCreator(reactor, LineClient, 'greeting');
 * const client = await creator.connectTCP('127.0.0.1', 8000, { timeout: 5 });
 * ```
 */
export class ClientCreator<P extends Protocol, A extends unknown[] = []> {
  readonly reactor: ConnectingReactor;
  readonly protocolClass: new (...args: A) => P;
  readonly args: A;

  /** @throws InvalidArgTypeError if `reactor` is not a clock or `protocolClass` not a class. */
  constructor(reactor: ConnectingReactor, protocolClass: new (...args: A) => P, ...args: A) {
    const r = reactor as Partial<ConnectingReactor> | null;
    if (r === null || typeof r !== 'object' || typeof r.callLater !== 'function') {
      throw new InvalidArgTypeError(`reactor must provide callLater and connectTCP/connectUNIX, received ${describe(reactor)}`);
    }
    if (typeof protocolClass !== 'function') {
      throw new InvalidArgTypeError(`protocolClass must be a class, received ${describe(protocolClass)}`);
    }
    this.reactor = reactor;
    this.protocolClass = protocolClass;
    this.args = args;
  }

  /**
   * Connects to a TCP server. Options are passed to the reactor's `connectTCP` unchanged.
   *
   * @returns A Deferred of the connected protocol instance; cancellable.
   * @throws whatever the reactor's `connectTCP` throws for invalid arguments.
   */
  connectTCP(host: string, port: number, options?: ConnectTCPOptions): Deferred<P> {
    const reactor = this.reactor;
    this.assertMethod('connectTCP');
    return this.connect((factory) => (options === undefined ? reactor.connectTCP(host, port, factory) : reactor.connectTCP(host, port, factory, options)));
  }

  /**
   * Connects to a UNIX-socket server. Options are passed to the reactor's `connectUNIX` unchanged.
   *
   * @returns A Deferred of the connected protocol instance; cancellable.
   * @throws whatever the reactor's `connectUNIX` throws for invalid arguments.
   */
  connectUNIX(path: string, options?: ConnectUNIXOptions): Deferred<P> {
    const reactor = this.reactor;
    this.assertMethod('connectUNIX');
    return this.connect((factory) => (options === undefined ? reactor.connectUNIX(path, factory) : reactor.connectUNIX(path, factory, options)));
  }

  private connect(start: (factory: ClientFactory) => IConnector): Deferred<P> {
    // The canceller needs the factory, which needs the Deferred: bind it after construction.
    let factory: InstanceFactory<P> | undefined;
    const d = new Deferred<P>(() => factory?.cancel());
    factory = new InstanceFactory<P>(this.reactor, new this.protocolClass(...this.args), d);
    const connector = start(factory);
    factory.connector ??= connector;
    return d;
  }

  private assertMethod(name: 'connectTCP' | 'connectUNIX'): void {
    if (typeof this.reactor[name] !== 'function') {
      throw new InvalidArgTypeError(`reactor has no ${name} method`);
    }
  }
}
