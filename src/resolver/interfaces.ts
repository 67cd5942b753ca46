// Twisted's name-resolution interfaces (twisted.internet.interfaces: IHostnameResolver,
// IResolutionReceiver, IHostResolution): a resolver reports each address it finds to a
// receiver, so a caller can begin connecting before the whole answer is in.
import type { IPv4Address, IPv6Address } from '../transport/address';

/** An address a resolver can report. */
export type ResolvedAddress = IPv4Address | IPv6Address;

/** The address classes a caller may ask for (Twisted's `addressTypes`). */
export type AddressType = typeof IPv4Address | typeof IPv6Address;

/** What the addresses are for: getaddrinfo's socket type. */
export type TransportSemantics = 'TCP' | 'UDP';

/** One resolution in progress, as given to `resolutionBegan`. */
export interface IHostResolution {
  /** The name being resolved. */
  readonly name: string;
  /**
   * Stops the resolution: the receiver hears nothing more (not even `resolutionComplete`).
   * Optional, as in Twisted, where a resolver may not support it.
   */
  cancel?(): void;
}

/** Told, in this order, that a resolution began, each address found, and that it finished. */
export interface IResolutionReceiver {
  resolutionBegan(resolution: IHostResolution): void;
  addressResolved(address: ResolvedAddress): void;
  /** No more addresses will come. Zero addresses before it means the name did not resolve. */
  resolutionComplete(): void;
}

/**
 * Twisted's IHostnameResolver: the reactor's `nameResolver`. Implement it to substitute your own
 * resolution (a fixed table in tests, a service-discovery client...) and install it with
 * `reactor.installNameResolver`.
 */
export interface IHostnameResolver {
  /**
   * Resolves `hostName`, reporting to `receiver`. Must not block: the answer may come later, or
   * synchronously before returning. `addressTypes` defaults to both IPv4 and IPv6.
   */
  resolveHostName(
    receiver: IResolutionReceiver,
    hostName: string,
    portNumber?: number,
    addressTypes?: readonly AddressType[] | null,
    transportSemantics?: TransportSemantics,
  ): IHostResolution;
}
