/**
 * Turning user-facing host, port and path arguments into what the native core takes, and
 * native address replies into address objects.
 * Internal to the package.
 */
import { isIP } from 'node:net';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { describe } from '../util/validate';
import { binding, C } from '../binding';
import { IPv4Address, IPv6Address, UNIXAddress, type Address } from './address';

export function assertPort(port: unknown, what = 'port'): asserts port is number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgValueError(`${what} must be an integer from 0 to 65535, received ${describe(port)}`, 'ERR_IOREACTOR_INVALID_PORT');
  }
}

/** The socket families adoptStreamPort, adoptStreamConnection and adoptDatagramPort take. */
export type SocketFamily = 'INET' | 'INET6' | 'UNIX';
const SOCKET_FAMILIES: readonly SocketFamily[] = ['INET', 'INET6', 'UNIX'];

export function assertSocketFamily(family: unknown): asserts family is SocketFamily {
  if (!(SOCKET_FAMILIES as readonly unknown[]).includes(family)) {
    throw new InvalidArgValueError(`family must be one of 'INET', 'INET6', 'UNIX', received ${describe(family)}`, 'ERR_IOREACTOR_INVALID_FAMILY');
  }
}

export function assertBacklog(backlog: unknown): asserts backlog is number {
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 1 || backlog > 65535) {
    throw new InvalidArgValueError(`backlog must be an integer from 1 to 65535, received ${describe(backlog)}`, 'ERR_IOREACTOR_INVALID_ARG_VALUE');
  }
}

/** A numeric interface to listen on: '' means every IPv4 interface, as in Twisted. */
export function listenInterface(iface: unknown): { family: number; host: string } {
  if (iface === undefined || iface === '') return { family: C.FAMILY_IPV4, host: '0.0.0.0' };
  if (typeof iface !== 'string') throw new InvalidArgTypeError(`interface must be a string, received ${describe(iface)}`);
  if (iface === 'localhost') return { family: C.FAMILY_IPV4, host: '127.0.0.1' };
  const version = isIP(iface);
  if (version === 0) {
    throw new InvalidArgValueError(`interface must be a numeric IPv4 or IPv6 address, received ${describe(iface)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
  }
  assertZone(iface);
  return { family: version === 6 ? C.FAMILY_IPV6 : C.FAMILY_IPV4, host: iface };
}

export function assertHost(host: unknown): asserts host is string {
  if (typeof host !== 'string') throw new InvalidArgTypeError(`host must be a string, received ${describe(host)}`);
  // A zone ('%eth0') belongs to a numeric IPv6 address only, never to a host name.
  if (host.length === 0 || host.length > 253 || /[\s\0]/.test(host) || (host.includes('%') && isIP(host) !== 6)) {
    throw new InvalidArgValueError(`host must be a host name or numeric address, received ${describe(host)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
  }
  assertZone(host);
}

/**
 * A numeric IPv6 address may carry a zone, as Node and Twisted take it: 'fe80::1%eth0' (an
 * interface's name) or 'fe80::1%2' (its index), which becomes the address's scope. The zone must
 * name an interface this machine has, checked here so that a mistake fails at the call with a
 * typed error rather than later as a system error.
 */
export function assertZone(host: string): void {
  const percent = host.indexOf('%');
  if (percent < 0) return;
  const zone = host.slice(percent + 1);
  if (binding.interfaceIndex(zone) < 0) {
    throw new InvalidArgValueError(`${host}: ${JSON.stringify(zone)} is not a network interface of this machine`, 'ERR_IOREACTOR_INVALID_ADDRESS');
  }
}

/** A UNIX socket path as bytes (a leading NUL makes a Linux abstract name). */
export function unixPathBytes(path: unknown): Buffer {
  if (typeof path !== 'string') throw new InvalidArgTypeError(`path must be a string, received ${describe(path)}`);
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length === 0 || bytes.length > 107 || (path[0] !== '\0' && path.includes('\0'))) {
    throw new InvalidArgValueError(
      `path must be 1 to 107 bytes with no NUL except a leading one (abstract name), received ${describe(path)}`,
      'ERR_IOREACTOR_INVALID_PATH',
    );
  }
  return bytes;
}

/** An address object from a native reply: [family, host|Buffer|null, port, IPv6 scope id]. */
export function addressFromNative(reply: [number, string | Buffer | null, number, number], type: 'TCP' | 'UDP' = 'TCP'): Address {
  const [family, host, port, scopeID] = reply;
  if (family === C.FAMILY_IPV4) return new IPv4Address(host as string, port, type);
  if (family === C.FAMILY_IPV6) return new IPv6Address(host as string, port, 0, scopeID, type);
  return new UNIXAddress(host === null ? null : (host as Buffer).toString('utf8'));
}

/** An address object from the 24-byte blob the core writes for an accepted connection. */
export function addressFromBlob(arena: Buffer, offset: number, unixName: string | null, type: 'TCP' | 'UDP' = 'TCP'): Address {
  const family = arena.readUInt16LE(offset);
  const port = arena.readUInt16LE(offset + 2);
  if (family === C.FAMILY_IPV4) {
    return new IPv4Address(`${arena[offset + 8]}.${arena[offset + 9]}.${arena[offset + 10]}.${arena[offset + 11]}`, port, type);
  }
  if (family === C.FAMILY_IPV6) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(arena.readUInt16BE(offset + 8 + 2 * i).toString(16));
    return new IPv6Address(compressIPv6(groups), port, 0, arena.readUInt32LE(offset + 4), type);
  }
  return new UNIXAddress(unixName);
}

/** RFC 5952 text for eight hex groups: the longest run of zero groups becomes '::'. */
function compressIPv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  // IPv4-mapped (::ffff:a.b.c.d) keeps its dotted tail, as inet_ntop writes it.
  if (bestStart === 0 && bestLength === 5 && groups[5] === 'ffff') {
    const v4 = [6, 7].flatMap((k) => [parseInt(groups[k], 16) >> 8, parseInt(groups[k], 16) & 0xff]).join('.');
    return `::ffff:${v4}`;
  }
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}
