// What endpoints are (Twisted's IStreamServerEndpoint and IStreamClientEndpoint) and what they
// need from a reactor.
import type { Deferred } from '../defer/deferred';
import type { IReactorTime } from '../interfaces/time';
import type { IConnector } from '../interfaces/transport';
import type { Factory } from '../protocol/factory';
import type { ClientFactory } from '../protocol/client-factory';
import type { Protocol } from '../protocol/protocol';
import type { ConnectTCPOptions, ConnectUNIXOptions, ListenTCPOptions, ListenUNIXOptions } from '../reactor/stream-endpoints';
import type { IHostnameResolver } from '../resolver/interfaces';
import type { Port } from '../transport/port';

/** The reactor methods the built-in endpoints use. A `Reactor` has them all. */
export interface EndpointReactor extends IReactorTime {
  listenTCP(port: number, factory: Factory, options?: ListenTCPOptions): Port;
  listenUNIX(path: string, factory: Factory, options?: ListenUNIXOptions): Port;
  connectTCP(host: string, port: number, factory: ClientFactory, options?: ConnectTCPOptions): IConnector;
  connectUNIX(path: string, factory: ClientFactory, options?: ConnectUNIXOptions): IConnector;
  readonly nameResolver: IHostnameResolver;
}

/** Somewhere to listen: Twisted's IStreamServerEndpoint. */
export interface IStreamServerEndpoint {
  /** Listens with `factory`: a Deferred of the listening port, or of why listening failed. */
  listen(factory: Factory): Deferred<Port>;
}

/** Somewhere to connect to: Twisted's IStreamClientEndpoint. */
export interface IStreamClientEndpoint {
  /**
   * Connects, building the protocol with `factory`: a Deferred of the protocol, fired after its
   * connectionMade, or failed with why connecting failed. Cancelling it stops the attempt.
   */
  connect<P extends Protocol>(factory: Factory<P>): Deferred<P>;
}
