import type { Failure } from '../defer/failure';
import type { IConnector } from '../interfaces/transport';
import { Factory } from './factory';
import type { Protocol } from './protocol';

/** A factory for outgoing connections, as Twisted's `ClientFactory`. */
export class ClientFactory<P extends Protocol = Protocol> extends Factory<P> {
  /** A connection attempt began. */
  startedConnecting(_connector: IConnector): void {}
  /** The attempt failed: refused, timed out, unresolvable, or stopped with stopConnecting. */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}
  /** An established connection was lost. */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}
