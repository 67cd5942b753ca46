// Twisted's endpoints.connectProtocol: connect an existing protocol instance.
import type { Deferred } from '../defer/deferred';
import { InvalidArgTypeError } from '../errors';
import { Factory } from '../protocol/factory';
import { Protocol } from '../protocol/protocol';
import { describe } from '../util/validate';
import type { IStreamClientEndpoint } from './interfaces';

/** A factory that hands out one protocol instance it was given. */
class OneShotFactory<P extends Protocol> extends Factory<P> {
  constructor(private readonly instance: P) {
    super();
  }
  override buildProtocol(): P {
    return this.instance;
  }
}

/**
 * Connects `protocol` through `endpoint`: a Deferred of the same protocol, connected (after
 * its connectionMade), or of the connect failure.
 *
 * ```ts
 * const client = await connectProtocol(clientFromString(reactor, 'tcp:127.0.0.1:8080'), new LineClient());
 * ```
 */
export function connectProtocol<P extends Protocol>(endpoint: IStreamClientEndpoint, protocol: P): Deferred<P> {
  if (endpoint === null || typeof endpoint !== 'object' || typeof endpoint.connect !== 'function') {
    throw new InvalidArgTypeError(`endpoint must have a connect method, received ${describe(endpoint)}`);
  }
  if (!(protocol instanceof Protocol)) throw new InvalidArgTypeError(`protocol must be a Protocol, received ${describe(protocol)}`);
  return endpoint.connect(new OneShotFactory(protocol));
}
