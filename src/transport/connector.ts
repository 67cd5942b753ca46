import type { Failure } from '../defer/failure';
import { IoReactorError } from '../errors';
import { ConnectTimeoutError, UserAbortedConnect } from './errors';
import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import type { IConnector, IStreamTransport } from '../interfaces/transport';
import type { ClientFactory } from '../protocol/client-factory';
import type { Protocol } from '../protocol/protocol';
import type { Address } from './address';

/** What a Connector needs from its reactor's stream set (internal to the package). */
export interface ConnectorOwner {
  /** Begins an attempt (resolve, then connect); the outcome comes back through the connector. */
  startAttempt(connector: Connector): void;
  /** Ends the attempt in progress with `reason` (timeout, stopConnecting). */
  abortAttempt(connector: Connector, reason: Error): void;
  callLater(delay: number, f: () => void): IDelayedCall;
}

export type ConnectorState = 'disconnected' | 'connecting' | 'connected';

/**
 * An outgoing connection and its retries: Twisted's `Connector` (IConnector), as returned by
 * connectTCP and connectUNIX.
 */
export class Connector implements IConnector {
  state: ConnectorState = 'disconnected';
  /** The transport of the current connection, once connected. */
  transport: IStreamTransport | undefined;
  /** @internal Native slot of the attempt or connection, -1 when none. */ slot = -1;
  /** @internal The generation of that slot: with it, the attempt's name in the native core. */ generation = 0;
  /** @internal The address of the current attempt's peer, once known. */ peer: Address | undefined;
  /** @internal Incremented per attempt, so a late resolver answer can tell it is stale. */ attempt = 0;
  private factoryStarted = false;
  private timeoutCall: IDelayedCall | undefined;

  /** @internal */
  constructor(
    private readonly owner: ConnectorOwner,
    /** The reactor that makes the attempts (ReconnectingClientFactory uses it as its clock). */
    readonly reactor: IReactorTime,
    readonly factory: ClientFactory,
    private readonly destination: Address,
    /** Seconds to wait for a connection before failing with ConnectTimeoutError; 0: forever. */
    readonly timeout: number,
  ) {}

  /** Starts a connection attempt (again, after a disconnect). */
  connect(): void {
    if (this.state !== 'disconnected') {
      throw new IoReactorError('ERR_IOREACTOR_CONNECTOR_BUSY', `can't connect in state '${this.state}'`);
    }
    this.state = 'connecting';
    this.attempt++;
    if (!this.factoryStarted) {
      this.factory.doStart();
      this.factoryStarted = true;
    }
    if (this.timeout > 0) {
      this.timeoutCall = this.owner.callLater(this.timeout, () => {
        this.timeoutCall = undefined;
        if (this.state === 'connecting') this.owner.abortAttempt(this, new ConnectTimeoutError());
      });
    }
    this.factory.startedConnecting(this);
    if (this.state === 'connecting') this.owner.startAttempt(this);
  }

  /** Stops the attempt in progress: clientConnectionFailed gets UserAbortedConnect. */
  stopConnecting(): void {
    if (this.state !== 'connecting') {
      throw new IoReactorError('ERR_IOREACTOR_NOT_CONNECTING', "we're not trying to connect");
    }
    this.owner.abortAttempt(this, new UserAbortedConnect());
  }

  /** Stops connecting, or loses the established connection. */
  disconnect(): void {
    if (this.state === 'connecting') this.stopConnecting();
    else if (this.state === 'connected') this.transport?.loseConnection();
  }

  getDestination(): Address {
    return this.destination;
  }

  /** @internal The attempt succeeded: returns the protocol to connect (or null to refuse). */
  buildProtocol(addr: Address): Protocol | null {
    this.state = 'connected';
    this.cancelTimeout();
    return this.factory.buildProtocol(addr);
  }

  /** @internal */
  connectionFailed(reason: Failure): void {
    this.cancelTimeout();
    this.transport = undefined;
    this.slot = -1;
    this.state = 'disconnected';
    this.factory.clientConnectionFailed(this, reason);
    this.stopFactoryIfIdle();
  }

  /** @internal */
  connectionLost(reason: Failure): void {
    this.transport = undefined;
    this.slot = -1;
    this.state = 'disconnected';
    this.factory.clientConnectionLost(this, reason);
    this.stopFactoryIfIdle();
  }

  toString(): string {
    return `<Connector to ${this.destination} (${this.state})>`;
  }

  private stopFactoryIfIdle(): void {
    // The factory may have called connect() again (ReconnectingClientFactory does, later).
    if (this.state === 'disconnected' && this.factoryStarted) {
      this.factoryStarted = false;
      this.factory.doStop();
    }
  }

  private cancelTimeout(): void {
    if (this.timeoutCall !== undefined && this.timeoutCall.active()) this.timeoutCall.cancel();
    this.timeoutCall = undefined;
  }
}
