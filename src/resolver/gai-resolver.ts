// The default resolver: Twisted's GAIResolver over Node's dns.lookup, which runs getaddrinfo on
// libuv's thread pool, so the loop never waits for an answer.
import { lookup, type LookupAddress } from 'node:dns';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { describe } from '../util/validate';
import { assertHost, assertPort } from '../transport/native-addresses';
import { IPv4Address, IPv6Address } from '../transport/address';
import type { AddressType, IHostnameResolver, IHostResolution, IResolutionReceiver, TransportSemantics } from './interfaces';

/** A GAIResolver resolution. `error` keeps why getaddrinfo found nothing, for the caller's message. */
export class HostResolution implements IHostResolution {
  error: Error | undefined;
  /** @internal */ cancelled = false;
  constructor(readonly name: string) {}
  cancel(): void {
    this.cancelled = true;
  }
}

/**
 * Resolves with `dns.lookup({ all: true, verbatim: true })`: every address, in the order the
 * system resolver gives them (/etc/hosts, nsswitch, gai.conf all apply). A name that does not
 * resolve completes with no address, as Twisted's GAIResolver does.
 */
export class GAIResolver implements IHostnameResolver {
  resolveHostName(
    receiver: IResolutionReceiver,
    hostName: string,
    portNumber = 0,
    addressTypes?: readonly AddressType[] | null,
    transportSemantics: TransportSemantics = 'TCP',
  ): HostResolution {
    assertReceiver(receiver);
    assertHost(hostName);
    assertPort(portNumber);
    const wanted = familiesFor(addressTypes);
    if (transportSemantics !== 'TCP' && transportSemantics !== 'UDP') {
      throw new InvalidArgValueError(`transportSemantics must be 'TCP' or 'UDP', received ${describe(transportSemantics)}`);
    }
    const resolution = new HostResolution(hostName);
    receiver.resolutionBegan(resolution);
    const family = wanted.size === 2 ? 0 : wanted.has(4) ? 4 : 6;
    lookup(hostName, { all: true, verbatim: true, family }, (err: Error | null, addresses: LookupAddress[]) => {
      if (resolution.cancelled) return;
      if (err) resolution.error = err;
      else {
        for (const a of addresses) {
          if (!wanted.has(a.family)) continue;
          receiver.addressResolved(a.family === 6 ? new IPv6Address(a.address, portNumber) : new IPv4Address(a.address, portNumber));
          if (resolution.cancelled) return;
        }
      }
      receiver.resolutionComplete();
    });
    return resolution;
  }
}

/** The IP versions `addressTypes` asks for: both when it is omitted. */
export function familiesFor(addressTypes: readonly AddressType[] | null | undefined): Set<number> {
  if (addressTypes === undefined || addressTypes === null) return new Set([4, 6]);
  if (!Array.isArray(addressTypes)) throw new InvalidArgTypeError(`addressTypes must be an array, received ${describe(addressTypes)}`);
  const families = new Set<number>();
  for (const t of addressTypes) {
    if (t === IPv4Address) families.add(4);
    else if (t === IPv6Address) families.add(6);
    else throw new InvalidArgValueError(`addressTypes may hold only IPv4Address and IPv6Address, received ${describe(t)}`);
  }
  if (families.size === 0) throw new InvalidArgValueError('addressTypes must name at least one address type');
  return families;
}

function assertReceiver(receiver: unknown): asserts receiver is IResolutionReceiver {
  const r = receiver as Partial<Record<keyof IResolutionReceiver, unknown>> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.resolutionBegan !== 'function' ||
    typeof r.addressResolved !== 'function' ||
    typeof r.resolutionComplete !== 'function'
  ) {
    throw new InvalidArgTypeError(`receiver must have resolutionBegan, addressResolved and resolutionComplete, received ${describe(receiver)}`);
  }
}
