// The stream client endpoints: Twisted's TCP4ClientEndpoint, HostnameEndpoint and
// UNIXClientEndpoint.
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';
import type { IDelayedCall } from '../interfaces/time';
import type { IConnector } from '../interfaces/transport';
import type { ClientFactory } from '../protocol/client-factory';
import type { Factory } from '../protocol/factory';
import type { Protocol } from '../protocol/protocol';
import { collectAddresses } from '../resolver/resolve';
import type { ResolvedAddress } from '../resolver/interfaces';
import { IPv4Address, IPv6Address, UNIXAddress } from '../transport/address';
import { ConnectTimeoutError } from '../transport/errors';
import { connectAttempt } from './connect-attempt';
import { ConnectingCancelledError } from './errors';
import type { EndpointReactor, IStreamClientEndpoint } from './interfaces';

/**
 * One reactor.connectTCP: a name is resolved by the reactor's resolver and its first address
 * tried. `timeout` in seconds (0: none); `bindAddress` a numeric local host to bind to.
 */
export class TCP4ClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: EndpointReactor,
    readonly host: string,
    readonly port: number,
    readonly timeout = 30,
    readonly bindAddress?: [string, number],
  ) {}

  connect<P extends Protocol>(factory: Factory<P>): Deferred<P> {
    const destination = this.host.includes(':') ? new IPv6Address(this.host, this.port) : new IPv4Address(this.host, this.port);
    return connectAttempt(factory, destination, (wrapping) => this.startConnecting(wrapping));
  }

  /** The reactor call behind connect(): connectTCP here, connectSSL for SSL4ClientEndpoint. */
  protected startConnecting(wrapping: ClientFactory): IConnector {
    return this.reactor.connectTCP(this.host, this.port, wrapping, { timeout: this.timeout, bindAddress: this.bindAddress });
  }

  toString(): string {
    return `TCP4ClientEndpoint(${this.host}, ${this.port})`;
  }
}

/**
 * Resolves `host` with the reactor's resolver (IPv4 and IPv6) and tries its addresses one after
 * another, in the resolver's order, until one connects: Twisted's HostnameEndpoint without the
 * staggered parallel attempts. `timeout` bounds the whole (resolution and every attempt); the
 * Deferred fails with the last attempt's failure, or DNSLookupError when nothing resolved.
 */
export class HostnameEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: EndpointReactor,
    readonly host: string,
    readonly port: number,
    readonly timeout = 30,
    readonly bindAddress?: [string, number],
  ) {}

  connect<P extends Protocol>(factory: Factory<P>): Deferred<P> {
    const reactor = this.reactor;
    const deadline = this.timeout > 0 ? reactor.seconds() + this.timeout : Infinity;
    let stopResolving: (() => void) | undefined;
    let attempt: Deferred<P> | undefined;
    let timer: IDelayedCall | undefined;
    let settled = false;
    const finish = (outcome: P | Failure): void => {
      if (settled) return;
      settled = true;
      if (timer?.active()) timer.cancel();
      if (outcome instanceof Failure) d.errback(outcome);
      else d.callback(outcome);
    };
    const d = new Deferred<P>(() => {
      stopResolving?.();
      if (attempt !== undefined)
        attempt.cancel(); // fails with ConnectingCancelledError, passed on
      else finish(new Failure(new ConnectingCancelledError(`${this.host}:${this.port}`)));
    });
    const tryFrom = (addresses: ResolvedAddress[], i: number, last: Failure | undefined): void => {
      if (settled) return;
      const remaining = deadline - reactor.seconds();
      if (i === addresses.length || remaining <= 0) {
        finish(i === addresses.length ? last! : new Failure(new ConnectTimeoutError()));
        return;
      }
      const address = addresses[i];
      attempt = connectAttempt(factory, address, (wrapping) =>
        reactor.connectTCP(address.host, this.port, wrapping, { timeout: remaining === Infinity ? 0 : remaining, bindAddress: this.bindAddress }),
      );
      attempt.addCallbacks(
        (protocol) => finish(protocol),
        (failure: Failure) => {
          attempt = undefined;
          if (failure.value instanceof ConnectingCancelledError) finish(failure);
          else tryFrom(addresses, i + 1, failure);
        },
      );
    };
    try {
      if (deadline !== Infinity) {
        timer = reactor.callLater(this.timeout, () => {
          if (attempt !== undefined) return; // the attempt has its own timeout
          stopResolving?.();
          finish(new Failure(new ConnectTimeoutError()));
        });
      }
      stopResolving = collectAddresses(reactor.nameResolver, this.host, this.port, null, (err, addresses) => {
        stopResolving = undefined;
        if (err) finish(new Failure(err));
        else tryFrom(addresses, 0, undefined);
      });
    } catch (err) {
      // A closed reactor refuses the timer: the Deferred fails with that, as listen()'s does.
      finish(new Failure(err));
    }
    return d;
  }

  toString(): string {
    return `HostnameEndpoint(${this.host}, ${this.port})`;
  }
}

/** One reactor.connectUNIX to `path`. */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: EndpointReactor,
    readonly path: string,
    readonly timeout = 30,
  ) {}

  connect<P extends Protocol>(factory: Factory<P>): Deferred<P> {
    return connectAttempt(factory, new UNIXAddress(this.path), (wrapping) => this.reactor.connectUNIX(this.path, wrapping, { timeout: this.timeout }));
  }

  toString(): string {
    return `UNIXClientEndpoint(${JSON.stringify(this.path)})`;
  }
}
