/**
 * The argument checks and defaults of the reactor's datagram methods (listenUDP,
 * listenUNIXDatagram, connectUNIXDatagram, adoptDatagramPort), kept out of reactor.ts.
 * Internal to the package.
 */
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { assertPort, assertSocketFamily, listenInterface, unixPathBytes } from '../transport/native-addresses';
import { assertDescriptorNumber, describe, optionsObject } from '../util/validate';
import { C } from '../binding';
import type { DatagramPort } from './datagram-port';
import type { DatagramSet } from './datagram-set';
import type { DatagramProtocol } from './protocol';

/** Twisted's default: datagrams larger than this arrive truncated unless maxPacketSize says more. */
export const DEFAULT_MAX_PACKET_SIZE = 8192;

export interface ListenUDPOptions {
  /** A numeric IPv4 or IPv6 address to bind ('' or absent: every IPv4 interface, as Twisted). */
  interface?: string;
  /** The largest datagram read whole, 1 to 65,535 (default 8192). */
  maxPacketSize?: number;
}

export interface ListenUNIXDatagramOptions {
  maxPacketSize?: number;
  /** Permission bits for the socket file (chmod after bind). */
  mode?: number;
}

export interface ConnectUNIXDatagramOptions {
  maxPacketSize?: number;
  /** A path (or '\0' abstract name) to bind first, so that the peer can answer. */
  bindAddress?: string;
}

function maxPacketSizeOf(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_PACKET_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidArgValueError(`maxPacketSize must be an integer from 1 to 65535, received ${describe(value)}`, 'ERR_IOREACTOR_INVALID_ARG_VALUE');
  }
  return value;
}

function assertProtocol(protocol: unknown): asserts protocol is DatagramProtocol {
  const p = protocol as Partial<DatagramProtocol> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    typeof p.datagramReceived !== 'function' ||
    typeof p.makeConnection !== 'function' ||
    typeof p.doStop !== 'function'
  ) {
    throw new InvalidArgTypeError(`protocol must be a DatagramProtocol, received ${describe(protocol)}`);
  }
}

export function listenUDP(datagrams: DatagramSet, port: unknown, protocol: unknown, options?: ListenUDPOptions): DatagramPort {
  assertPort(port);
  assertProtocol(protocol);
  const o = optionsObject<ListenUDPOptions>(options);
  const { family, host } = listenInterface(o.interface);
  const maxPacketSize = maxPacketSizeOf(o.maxPacketSize);
  return datagrams.open(family === C.FAMILY_IPV6 ? 'INET6' : 'INET', { address: host, port }, protocol, maxPacketSize, { name: null });
}

export function listenUNIXDatagram(datagrams: DatagramSet, path: unknown, protocol: unknown, options?: ListenUNIXDatagramOptions): DatagramPort {
  const bytes = unixPathBytes(path);
  assertProtocol(protocol);
  const o = optionsObject<ListenUNIXDatagramOptions>(options);
  if (o.mode !== undefined && (typeof o.mode !== 'number' || !Number.isInteger(o.mode) || o.mode < 0 || o.mode > 0o7777)) {
    throw new InvalidArgValueError(`options.mode must be permission bits (0 to 0o7777), received ${describe(o.mode)}`, 'ERR_IOREACTOR_INVALID_ARG_VALUE');
  }
  return datagrams.open('UNIX', { address: bytes, port: 0 }, protocol, maxPacketSizeOf(o.maxPacketSize), { name: path as string, mode: o.mode });
}

export function connectUNIXDatagram(datagrams: DatagramSet, path: unknown, protocol: unknown, options?: ConnectUNIXDatagramOptions): DatagramPort {
  const target = unixPathBytes(path);
  assertProtocol(protocol);
  const o = optionsObject<ConnectUNIXDatagramOptions>(options);
  const bind = o.bindAddress === undefined ? undefined : unixPathBytes(o.bindAddress);
  return datagrams.open('UNIX', bind === undefined ? undefined : { address: bind, port: 0 }, protocol, maxPacketSizeOf(o.maxPacketSize), {
    name: o.bindAddress ?? null,
    connectTo: target,
  });
}

export function adoptDatagramPort(datagrams: DatagramSet, fd: unknown, family: unknown, protocol: unknown, maxPacketSize?: unknown): DatagramPort {
  assertDescriptorNumber(fd);
  assertSocketFamily(family);
  assertProtocol(protocol);
  return datagrams.adopt(fd, family, protocol, maxPacketSizeOf(maxPacketSize));
}
