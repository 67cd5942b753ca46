import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { describe } from '../../util/validate';
import type { Factory } from '../../protocol/factory';
import type { Address } from '../../transport/address';
import { ProtocolWrapper, WrappingFactory } from './wrapper';

/** Options of {@link LimitConnectionsByPeer}. */
export interface LimitConnectionsByPeerOptions {
  /** Open connections allowed from one peer host at once (default 5, as Twisted). */
  maxConnectionsPerPeer?: number;
}

/** The key connections are counted under: the peer's host (all UNIX peers share one key). */
function peerKey(addr: Address): string {
  return addr.type === 'UNIX' ? 'unix:' : addr.host;
}

/**
 * Limits the open connections from each peer host: Twisted's `policies.LimitConnectionsByPeer`.
 * A connection from a host that already has `maxConnectionsPerPeer` open is refused (its
 * buildProtocol returns null, so the reactor closes it at once and no protocol hears of it).
 * Counts are kept per host string as the peer address gives it (IPv4 and IPv6 forms of one
 * machine count apart; UNIX peers count together). Twisted looked the host up again when a
 * connection was lost, with the wrong tuple index; here each wrapper remembers its key.
 */
export class LimitConnectionsByPeer extends WrappingFactory {
  /** The limit per peer host. */
  maxConnectionsPerPeer: number;
  /** Open connections per peer host (hosts with none are absent). */
  readonly peerConnections = new Map<string, number>();
  readonly #keys = new WeakMap<ProtocolWrapper, string>();

  constructor(wrappedFactory: Factory, options: LimitConnectionsByPeerOptions = {}) {
    super(wrappedFactory);
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`LimitConnectionsByPeer options must be an object, received ${describe(options)}`);
    }
    const max = options.maxConnectionsPerPeer ?? 5;
    if (typeof max !== 'number') throw new InvalidArgTypeError(`options.maxConnectionsPerPeer must be a number, received ${describe(max)}`);
    if (!Number.isInteger(max) || max < 0) throw new InvalidArgValueError(`options.maxConnectionsPerPeer must be an integer >= 0, received ${max}`);
    this.maxConnectionsPerPeer = max;
  }

  /** Forgets the counts when the first port starts, as Twisted's startFactory. */
  override startFactory(): void {
    this.peerConnections.clear();
  }

  /** Wraps the protocol for `addr`, or returns null when its host is at the limit. */
  override buildProtocol(addr: Address): ProtocolWrapper | null {
    const key = peerKey(addr);
    const count = this.peerConnections.get(key) ?? 0;
    if (count >= this.maxConnectionsPerPeer) return null;
    const p = super.buildProtocol(addr);
    if (p === null) return null;
    this.peerConnections.set(key, count + 1);
    this.#keys.set(p, key);
    return p;
  }

  override unregisterProtocol(p: ProtocolWrapper): void {
    super.unregisterProtocol(p);
    const key = this.#keys.get(p);
    if (key === undefined) return;
    this.#keys.delete(p);
    const left = (this.peerConnections.get(key) ?? 1) - 1;
    if (left <= 0) this.peerConnections.delete(key);
    else this.peerConnections.set(key, left);
  }
}
