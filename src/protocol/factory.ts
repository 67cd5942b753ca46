import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import type { Address } from '../transport/address';
import type { Protocol } from './protocol';

export type ProtocolClass<P extends Protocol = Protocol> = new () => P;

/**
 * Builds a protocol for each connection, as Twisted's `Factory`. Set `protocol` (or use
 * {@link Factory.forProtocol}) or override {@link buildProtocol}. A factory used by several
 * listening ports is started once, when the first starts, and stopped when the last stops.
 */
export class Factory<P extends Protocol = Protocol> {
  /** The protocol class buildProtocol instantiates. */
  protocol: ProtocolClass<P> | undefined;
  /** How many ports or connectors are using this factory. */
  numPorts = 0;

  /** A factory of `protocolClass`: `Factory.forProtocol(Echo)`. */
  static forProtocol<P extends Protocol, F extends Factory<P>>(this: new () => F, protocolClass: ProtocolClass<P>): F {
    if (typeof protocolClass !== 'function') {
      throw new InvalidArgTypeError(`forProtocol needs a protocol class, received ${describe(protocolClass)}`);
    }
    const factory = new this();
    factory.protocol = protocolClass;
    return factory;
  }

  /** Called by ports and connectors as they start using the factory. */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts++;
  }

  /** Called by ports and connectors as they stop using the factory. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) this.stopFactory();
  }

  /** Override: the first port started using this factory. */
  startFactory(): void {}

  /** Override: the last port stopped using this factory. */
  stopFactory(): void {}

  /**
   * Returns a protocol for a connection from `addr`, or null to refuse it (the connection is
   * closed at once and no protocol hears of it).
   */
  buildProtocol(_addr: Address): P | null {
    if (this.protocol === undefined) {
      throw new InvalidArgTypeError(`${this.constructor.name}.protocol is not set: use Factory.forProtocol(MyProtocol) or override buildProtocol`);
    }
    const p = new this.protocol();
    p.factory = this as unknown as Factory;
    return p;
  }
}

/** Checks that `value` can serve as a factory (at the public entry points). @internal */
export function assertFactory(value: unknown, what = 'factory'): asserts value is Factory {
  const f = value as Partial<Factory> | null;
  if (f === null || typeof f !== 'object' || typeof f.buildProtocol !== 'function' || typeof f.doStart !== 'function' || typeof f.doStop !== 'function') {
    throw new InvalidArgTypeError(`${what} must be a Factory (with buildProtocol, doStart and doStop), received ${describe(value)}`);
  }
}
