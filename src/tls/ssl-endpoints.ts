/**
 * listenSSL and connectSSL: TCP connections whose protocol is a DuplexProtocol (the carrier),
 * with a node:tls TLSSocket over the carrier's stream and the user's protocol over the
 * TLSSocket's cleartext side. The user's factory is asked for a protocol when the TCP
 * connection is made (so it can still refuse one); the protocol's connectionMade waits for the
 * handshake. Internal to the package.
 */
import { Failure } from '../defer/failure';
import type { IConnector } from '../interfaces/transport';
import { trace } from '../log/diagnostics';
import { reportError, type Logger } from '../log/logger';
import type { ClientFactory } from '../protocol/client-factory';
import { assertFactory, Factory } from '../protocol/factory';
import type { Protocol } from '../protocol/protocol';
import type { ConnectTCPOptions, ListenTCPOptions } from '../reactor/stream-endpoints';
import type { Address } from '../transport/address';
import type { Connector } from '../transport/connector';
import { DuplexProtocol } from '../transport/duplex-protocol';
import type { TCPPort } from '../transport/port';
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import type { TLSHandshakeError } from './errors';
import { startHandshake } from './handshake';
import { resolveTLSOptions, type ResolvedTLSOptions } from './options';
import { TLSCarrier, TLSTransport } from './tls-transport';

export interface ListenSSLOptions extends ListenTCPOptions {
  /**
   * Told of every connection whose handshake failed (its protocol never hears of it), with the
   * coded failure (TLSHandshakeError, TLSVerificationError, TLSHandshakeTimeout) and the peer's
   * address. By default such connections are closed silently, as node:tls servers do: a
   * public server sees many (`NODE_DEBUG=ioreactor` traces them).
   */
  onHandshakeError?: (failure: Failure, peer: Address) => void;
}

/** What listenSSL and connectSSL need of their reactor. */
export interface SSLHost {
  readonly logger: Logger;
  listenTCP(port: number, factory: Factory, options?: ListenTCPOptions): TCPPort;
  connectTCP(host: string, port: number, factory: Factory, options?: ConnectTCPOptions): Connector;
}

export function listenSSL(host: SSLHost, port: number, factory: unknown, tlsOptions: unknown, options?: ListenSSLOptions): TCPPort {
  assertFactory(factory);
  const resolved = resolveTLSOptions(tlsOptions);
  let tcpOptions: ListenTCPOptions | undefined = options;
  let onHandshakeError: ListenSSLOptions['onHandshakeError'];
  if (options !== undefined && options !== null && typeof options === 'object') {
    ({ onHandshakeError, ...tcpOptions } = options);
    if (onHandshakeError !== undefined && typeof onHandshakeError !== 'function') {
      throw new InvalidArgTypeError(`options.onHandshakeError must be a function, received ${describe(onHandshakeError)}`);
    }
  }
  return host.listenTCP(port, new TLSServerFactory(factory, resolved, host.logger, onHandshakeError), tcpOptions);
}

export function connectSSL(host: SSLHost, hostname: string, port: number, factory: unknown, tlsOptions: unknown, options?: ConnectTCPOptions): Connector {
  assertFactory(factory);
  const resolved = resolveTLSOptions(tlsOptions);
  return host.connectTCP(hostname, port, new TLSClientFactory(factory, resolved, hostname, host.logger), options);
}

/** Runs `protocol` over TLS on the carrier's stream once the handshake is done; `settled` hears how it went. */
function carrierFor(
  protocol: Protocol,
  side: { isServer: boolean; host?: string },
  resolved: ResolvedTLSOptions,
  logger: Logger,
  settled: (failure: TLSHandshakeError | undefined, transport: TLSTransport | undefined) => void,
): DuplexProtocol {
  const carrier = new TLSCarrier();
  carrier.connectionMade = () => {
    DuplexProtocol.prototype.connectionMade.call(carrier);
    const tcp = carrier.transport;
    const socket = startHandshake(carrier.stream, side, resolved, (failure) => {
      if (failure !== undefined) {
        settled(failure, undefined);
        return;
      }
      const transport = new TLSTransport(socket, protocol, tcp, { peer: tcp.getPeer(), host: tcp.getHost(), logger });
      transport.handshakeSettled(undefined);
      carrier.tls = transport;
      settled(undefined, transport);
      transport.start();
    });
  };
  return carrier;
}

/** The factory listenTCP gets: the user's, each protocol behind a TLS carrier. */
class TLSServerFactory extends Factory {
  constructor(
    private readonly wrapped: Factory,
    private readonly resolved: ResolvedTLSOptions,
    private readonly logger: Logger,
    private readonly onHandshakeError: ListenSSLOptions['onHandshakeError'],
  ) {
    super();
  }

  override doStart(): void {
    this.wrapped.doStart();
  }

  override doStop(): void {
    this.wrapped.doStop();
  }

  override buildProtocol(addr: Address): Protocol | null {
    const protocol = this.wrapped.buildProtocol(addr);
    if (protocol === null) return null;
    return carrierFor(protocol, { isServer: true }, this.resolved, this.logger, (failure) => {
      if (failure === undefined) return;
      if (trace.enabled) trace('TLS handshake failed: %s', failure.message);
      if (this.onHandshakeError === undefined) return;
      try {
        this.onHandshakeError(new Failure(failure), addr);
      } catch (err) {
        reportError(this.logger, 'Unhandled error in onHandshakeError:', err);
      }
    });
  }
}

/**
 * The factory connectTCP gets. The user's client factory hears clientConnectionFailed for a
 * failed TCP connection or a failed handshake, and clientConnectionLost only for a connection
 * its protocol was told of, after that protocol's connectionLost (Twisted's order).
 */
class TLSClientFactory extends Factory {
  /** The attempt under way: one at a time per connector. */
  private attempt: ClientAttempt | undefined;

  constructor(
    private readonly wrapped: Factory,
    private readonly resolved: ResolvedTLSOptions,
    private readonly hostname: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  override doStart(): void {
    this.wrapped.doStart();
  }

  override doStop(): void {
    this.wrapped.doStop();
  }

  startedConnecting(connector: IConnector): void {
    this.attempt = undefined;
    (this.wrapped as Partial<ClientFactory>).startedConnecting?.(connector);
  }

  clientConnectionFailed(connector: IConnector, reason: Failure): void {
    (this.wrapped as Partial<ClientFactory>).clientConnectionFailed?.(connector, reason);
  }

  clientConnectionLost(connector: IConnector, reason: Failure): void {
    const attempt = this.attempt;
    if (attempt === undefined) {
      // buildProtocol refused the connection: no TLS was ever started.
      (this.wrapped as Partial<ClientFactory>).clientConnectionLost?.(connector, reason);
      return;
    }
    attempt.connector = connector;
    this.settle(attempt);
  }

  override buildProtocol(addr: Address): Protocol | null {
    const protocol = this.wrapped.buildProtocol(addr);
    if (protocol === null) return null;
    const attempt: ClientAttempt = { connector: undefined, failure: undefined, lost: undefined, done: false };
    this.attempt = attempt;
    return carrierFor(protocol, { isServer: false, host: this.hostname }, this.resolved, this.logger, (failure, transport) => {
      attempt.failure = failure;
      if (transport !== undefined) {
        transport.onLost = (reason) => {
          attempt.lost = reason;
          this.settle(attempt);
        };
      }
      this.settle(attempt);
    });
  }

  /** Tells the user's factory, once both the TCP connection and the TLS side have ended. */
  private settle(attempt: ClientAttempt): void {
    const connector = attempt.connector;
    if (attempt.done || connector === undefined) return;
    const wrapped = this.wrapped as Partial<ClientFactory>;
    try {
      if (attempt.failure !== undefined) {
        attempt.done = true;
        wrapped.clientConnectionFailed?.(connector, new Failure(attempt.failure));
      } else if (attempt.lost !== undefined) {
        attempt.done = true;
        wrapped.clientConnectionLost?.(connector, attempt.lost);
      }
    } catch (err) {
      reportError(this.logger, attempt.failure !== undefined ? 'Unhandled error in clientConnectionFailed:' : 'Unhandled error in clientConnectionLost:', err);
    }
  }
}

interface ClientAttempt {
  /** Set once the TCP connection is lost. */
  connector: IConnector | undefined;
  failure: TLSHandshakeError | undefined;
  /** What the user's protocol was told in connectionLost. */
  lost: Failure | undefined;
  done: boolean;
}
