/**
 * Argument checking and option handling for the reactor's stream methods (listenTCP,
 * connectTCP, listenUNIX, connectUNIX, adopt*). The Reactor's methods are thin wrappers.
 * Internal to the package.
 */
import { chmodSync } from 'node:fs';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { assertDescriptorNumber, assertNonNegativeNumber, describe, optionsObject } from '../util/validate';
import { assertFactory, type Factory } from '../protocol/factory';
import { IPv4Address, IPv6Address, UNIXAddress } from '../transport/address';
import { assertBacklog, assertHost, assertPort, assertSocketFamily, listenInterface, unixPathBytes } from '../transport/native-addresses';
import type { Connector } from '../transport/connector';
import type { Port, TCPPort, UNIXPort } from '../transport/port';
import type { StreamSet } from '../transport/stream-set';
import { C } from '../binding';

export interface ListenTCPOptions {
  /** Connections waiting to be accepted (default 50, as in Twisted). */
  backlog?: number;
  /** Numeric address to listen on: '' (default) every IPv4 interface, '::' every IPv6 one. */
  interface?: string;
  /**
   * Sets SO_REUSEPORT before binding (default false), so several sockets (one per reactor, in
   * one thread, in workers or in processes) can listen on the same port and the kernel spreads
   * connections among them. Every socket of the group must ask for it; on Linux they must also
   * belong to the same user. macOS and the BSDs accept the option but do not balance: there
   * the last socket bound gets most connections (see `serve`'s `balance: 'acceptor'`).
   */
  reusePort?: boolean;
}

export interface ConnectTCPOptions {
  /** Seconds before the attempt fails with ConnectTimeoutError (default 30; 0: never). */
  timeout?: number;
  /** Local [host, port] to bind to before connecting. */
  bindAddress?: [string, number];
}

export interface ListenUNIXOptions {
  backlog?: number;
  /** File mode of the socket (default 0o666, as in Twisted). Ignored for abstract names. */
  mode?: number;
}

export interface ConnectUNIXOptions {
  /** Seconds before the attempt fails with ConnectTimeoutError (default 30; 0: never). */
  timeout?: number;
}

export type StreamFamily = 'INET' | 'INET6' | 'UNIX';

function timeoutOption(value: unknown): number {
  if (value === undefined) return 30;
  assertNonNegativeNumber(value, 'options.timeout');
  return value;
}

export function listenTCP(streams: StreamSet, port: unknown, factory: unknown, options?: ListenTCPOptions): TCPPort {
  assertPort(port);
  assertFactory(factory);
  const o = optionsObject<ListenTCPOptions>(options);
  const backlog = o.backlog ?? 50;
  assertBacklog(backlog);
  const reusePort = o.reusePort ?? false;
  if (typeof reusePort !== 'boolean') {
    throw new InvalidArgTypeError(`options.reusePort must be a boolean, received ${describe(reusePort)}`, 'ERR_IOREACTOR_INVALID_REUSE_PORT');
  }
  const { family, host } = listenInterface(o.interface);
  // A socket bound to an IP address names one.
  return streams.listen(family, host, port, backlog, factory, null, reusePort) as TCPPort;
}

export function connectTCP(streams: StreamSet, host: unknown, port: unknown, factory: unknown, options?: ConnectTCPOptions): Connector {
  assertHost(host);
  assertPort(port);
  if (port === 0) throw new InvalidArgValueError('cannot connect to port 0', 'ERR_IOREACTOR_INVALID_PORT');
  assertFactory(factory);
  const o = optionsObject<ConnectTCPOptions>(options);
  const timeout = timeoutOption(o.timeout);
  let bind: { host: string; port: number } | undefined;
  if (o.bindAddress !== undefined) {
    if (!Array.isArray(o.bindAddress) || o.bindAddress.length !== 2) {
      throw new InvalidArgTypeError(`options.bindAddress must be [host, port], received ${describe(o.bindAddress)}`);
    }
    const [bindHost, bindPort] = o.bindAddress;
    assertPort(bindPort, 'bindAddress port');
    bind = { host: listenInterface(bindHost).host, port: bindPort };
  }
  const destination = host.includes(':') ? new IPv6Address(host, port) : new IPv4Address(host, port);
  const connector = streams.connector(factory as Factory, destination, { kind: 'tcp', host, port, bind }, timeout);
  connector.connect();
  return connector;
}

export function listenUNIX(streams: StreamSet, path: unknown, factory: unknown, options?: ListenUNIXOptions): UNIXPort {
  const bytes = unixPathBytes(path);
  assertFactory(factory);
  const o = optionsObject<ListenUNIXOptions>(options);
  const backlog = o.backlog ?? 50;
  assertBacklog(backlog);
  const mode = o.mode ?? 0o666;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new InvalidArgValueError(`options.mode must be a file mode (0 to 0o7777), received ${describe(mode)}`);
  }
  const p = streams.listen(C.FAMILY_UNIX, bytes, 0, backlog, factory, path as string, false);
  if (!(path as string).startsWith('\0')) {
    try {
      chmodSync(path as string, mode);
    } catch (err) {
      p.stopListening();
      throw err;
    }
  }
  return p as UNIXPort; // it names the path it was given
}

export function connectUNIX(streams: StreamSet, path: unknown, factory: unknown, options?: ConnectUNIXOptions): Connector {
  const bytes = unixPathBytes(path);
  assertFactory(factory);
  const o = optionsObject<ConnectUNIXOptions>(options);
  const timeout = timeoutOption(o.timeout);
  const connector = streams.connector(factory as Factory, new UNIXAddress(path as string), { kind: 'unix', path: bytes }, timeout);
  connector.connect();
  return connector;
}

function assertAdoptable(fd: unknown, family: unknown, factory: unknown): asserts fd is number {
  assertDescriptorNumber(fd);
  assertSocketFamily(family);
  assertFactory(factory);
}

export function adoptStreamPort(streams: StreamSet, fd: unknown, family: unknown, factory: unknown): Port {
  assertAdoptable(fd, family, factory);
  return streams.adoptPort(fd, factory as Factory);
}

export function adoptStreamConnection(streams: StreamSet, fd: unknown, family: unknown, factory: unknown): void {
  assertAdoptable(fd, family, factory);
  streams.adoptConnection(fd, factory as Factory);
}
