// Collecting a resolver's answer: the whole list, for connectTCP (its first address),
// HostnameEndpoint (every address, in order) and the `resolve` convenience.
import { isIP } from 'node:net';
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import { assertHost, assertPort } from '../transport/native-addresses';
import { IPv4Address, IPv6Address } from '../transport/address';
import { DNSLookupError } from '../transport/errors';
import type { AddressType, IHostnameResolver, IHostResolution, ResolvedAddress } from './interfaces';
import { familiesFor } from './gai-resolver';

/** Anything with a resolver: a Reactor (its `nameResolver`), or a resolver itself. */
export type ResolverSource = IHostnameResolver | { readonly nameResolver: IHostnameResolver };

export type AddressesCallback = (err: DNSLookupError | null, addresses: ResolvedAddress[]) => void;

/**
 * Asks `resolver` for `host` and calls `done` once: with every address, or with a
 * DNSLookupError when there is none (or the resolver threw). A numeric host is answered at once
 * without asking. A resolver that reports after completing, or twice, is ignored past its
 * first completion. Returns a function that stops the resolution (`done` is then never called).
 *
 * Internal to the package.
 */
export function collectAddresses(
  resolver: IHostnameResolver,
  host: string,
  port: number,
  addressTypes: readonly AddressType[] | null,
  done: AddressesCallback,
): () => void {
  const version = isIP(host);
  if (version !== 0) {
    const families = familiesFor(addressTypes);
    if (families.has(version)) done(null, [version === 6 ? new IPv6Address(host, port) : new IPv4Address(host, port)]);
    else done(new DNSLookupError(`DNS lookup failed: ${host} is not an address of the requested type`), []);
    return () => {};
  }
  let finished = false;
  let resolution: IHostResolution | undefined;
  const addresses: ResolvedAddress[] = [];
  const finish = (err: DNSLookupError | null): void => {
    if (finished) return;
    finished = true;
    done(err, addresses);
  };
  try {
    resolver.resolveHostName(
      {
        resolutionBegan(r) {
          resolution = r;
        },
        addressResolved(address) {
          if (finished) return;
          if (address instanceof IPv4Address || address instanceof IPv6Address) addresses.push(address);
          else finish(new DNSLookupError(`DNS lookup failed: ${host}: the resolver reported ${describe(address)}, not an IPv4Address or IPv6Address`));
        },
        resolutionComplete() {
          if (addresses.length > 0) finish(null);
          else {
            const cause = (resolution as { error?: unknown } | undefined)?.error;
            finish(new DNSLookupError(`DNS lookup failed: no address for ${host}`, cause === undefined ? undefined : { cause }));
          }
        },
      },
      host,
      port,
      addressTypes,
      'TCP',
    );
  } catch (err) {
    finish(new DNSLookupError(`DNS lookup failed: ${host}: the resolver threw`, { cause: err }));
  }
  return () => {
    if (finished) return;
    finished = true;
    resolution?.cancel?.();
  };
}

/** The resolver of `source`, checked. */
export function resolverOf(source: unknown): IHostnameResolver {
  const candidate = source !== null && typeof source === 'object' && 'nameResolver' in source ? (source as { nameResolver: unknown }).nameResolver : source;
  assertResolver(candidate, 'resolver');
  return candidate;
}

export function assertResolver(value: unknown, what = 'resolver'): asserts value is IHostnameResolver {
  if (value === null || typeof value !== 'object' || typeof (value as Partial<IHostnameResolver>).resolveHostName !== 'function') {
    throw new InvalidArgTypeError(`${what} must have a resolveHostName method (IHostnameResolver), received ${describe(value)}`);
  }
}

/**
 * Resolves `host` through a reactor's resolver (or the given one): a Deferred of every address,
 * in the resolver's order, carrying `port`. Fails with DNSLookupError when there is none.
 * Cancelling it stops the resolution. A numeric host is answered without asking.
 *
 * ```ts
 * const addresses = await resolve(reactor, 'localhost', 8080);
 * ```
 */
export function resolve(source: ResolverSource, host: string, port = 0, addressTypes: readonly AddressType[] | null = null): Deferred<ResolvedAddress[]> {
  const resolver = resolverOf(source);
  assertHost(host);
  assertPort(port);
  familiesFor(addressTypes);
  let stop: (() => void) | undefined;
  const d = new Deferred<ResolvedAddress[]>(() => stop?.());
  stop = collectAddresses(resolver, host, port, addressTypes, (err, addresses) => {
    if (err) d.errback(new Failure(err));
    else d.callback(addresses);
  });
  return d;
}
