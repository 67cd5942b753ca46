// The client side of every endpoint: Twisted's _WrappingFactory. It turns one connector's
// reports (buildProtocol, clientConnectionFailed) into the Deferred endpoint.connect() returns,
// and makes that Deferred cancellable at every stage.
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';
import type { IConnector } from '../interfaces/transport';
import { ClientFactory } from '../protocol/client-factory';
import { assertFactory, type Factory } from '../protocol/factory';
import type { Protocol } from '../protocol/protocol';
import type { Address } from '../transport/address';
import { ConnectingCancelledError, NoProtocolError } from './errors';

type Stage = 'connecting' | 'built' | 'settled';

/**
 * Hands the connector the protocol the user's factory builds, and settles the Deferred: with the
 * protocol right after its connectionMade, or with the connect failure. The
 * user's factory is started and stopped with the connector (doStart/doStop), as Twisted's is.
 */
class EndpointClientFactory<P extends Protocol> extends ClientFactory<P> {
  connector: IConnector | undefined;
  private stage: Stage = 'connecting';
  private built: P | undefined;

  constructor(
    private readonly wrapped: Factory<P>,
    private readonly deferred: Deferred<P>,
    private readonly destination: Address | string,
  ) {
    super();
  }

  override doStart(): void {
    this.wrapped.doStart();
  }

  override doStop(): void {
    this.wrapped.doStop();
  }

  override startedConnecting(connector: IConnector): void {
    this.connector ??= connector;
  }

  override buildProtocol(addr: Address): P | null {
    if (this.stage !== 'connecting') return null; // cancelled while the connection completed
    let protocol: P | null;
    try {
      protocol = this.wrapped.buildProtocol(addr);
    } catch (err) {
      this.settle(new Failure(err));
      return null;
    }
    if (protocol === null) {
      this.settle(new Failure(new NoProtocolError()));
      return null;
    }
    this.stage = 'built';
    this.built = protocol;
    this.fireAfterConnectionMade(protocol);
    return protocol;
  }

  /**
   * Fires the Deferred right after the protocol's makeConnection (so after its connectionMade),
   * as Twisted's _WrappingProtocol does, without wrapping the protocol for the connection's
   * life: its own makeConnection is shadowed on the instance for that one call, then restored.
   */
  private fireAfterConnectionMade(protocol: P): void {
    const own = Object.getOwnPropertyDescriptor(protocol, 'makeConnection');
    const original = protocol.makeConnection;
    protocol.makeConnection = (transport) => {
      if (own === undefined) delete (protocol as Partial<Protocol>).makeConnection;
      else Object.defineProperty(protocol, 'makeConnection', own);
      try {
        original.call(protocol, transport);
      } catch (err) {
        if (this.stage === 'built') this.settle(new Failure(err));
        throw err;
      }
      if (this.stage !== 'built') return; // cancelled from inside connectionMade
      this.stage = 'settled';
      this.deferred.callback(protocol);
    };
  }

  /**
   * A connection that failed before its protocol heard connectionMade: refused or timed out
   * (stage 'connecting'), or, over TLS, built when the TCP connection was made and then failed
   * in the handshake (stage 'built').
   */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (this.stage !== 'settled') this.settle(reason);
  }

  /** The Deferred's canceller: undoes whatever stage the attempt has reached. */
  cancel(): void {
    const stage = this.stage;
    if (stage === 'settled') return;
    this.settle(new Failure(new ConnectingCancelledError(this.destination)));
    if (stage === 'connecting') {
      this.connector?.stopConnecting();
    } else {
      this.built?.transport?.abortConnection();
    }
  }

  private settle(reason: Failure): void {
    this.stage = 'settled';
    this.deferred.errback(reason);
  }
}

/**
 * Starts one connection attempt with `start` (which calls the reactor's connect method with the
 * wrapping factory it is given) and returns its Deferred. A synchronous throw from `start` (a
 * refused argument) fails the Deferred instead, as Twisted's endpoints do.
 *
 * Internal to the package.
 */
export function connectAttempt<P extends Protocol>(
  factory: Factory<P>,
  destination: Address | string,
  start: (wrapping: ClientFactory) => IConnector,
): Deferred<P> {
  assertFactory(factory);
  let wrapping: EndpointClientFactory<P> | undefined;
  const d = new Deferred<P>(() => wrapping?.cancel());
  wrapping = new EndpointClientFactory(factory, d, destination);
  try {
    wrapping.connector = start(wrapping as unknown as ClientFactory);
  } catch (err) {
    if (!d.called) d.errback(new Failure(err));
  }
  return d;
}
