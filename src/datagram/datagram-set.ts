/**
 * The reactor's datagram ports and the dispatch of the native core's datagram records to them.
 * A batch's datagrams for one port arrive as one record over the read arena (a header, the
 * sender and the bytes of each, see native/datagram.h), and are delivered in one loop here: no
 * native call per datagram, and the sender's Address made once per sender, not per datagram.
 * Internal to the package.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { isIP } from 'node:net';
import { C, generationOf, slotOf, type NativeReactor } from '../binding';
import { InvalidArgTypeError, InvalidArgValueError, ReactorSystemError } from '../errors';
import { trace } from '../log/diagnostics';
import { reportError, type Logger } from '../log/logger';
import { UNIXAddress, type Address } from '../transport/address';
import { addressFromBlob, addressFromNative, assertPort } from '../transport/native-addresses';
import { VIEW_READ_BYTES } from '../transport/stream-set';
import { assertBytes, describe } from '../util/validate';
import { DatagramPort, type DatagramPortOwner } from './datagram-port';
import { DatagramPortClosedError, DatagramTooLargeError, DatagramTruncatedError } from './errors';
import type { DatagramProtocol, DatagramTruncationHandler } from './protocol';

/** The most one UDP datagram carries over IPv4 and over IPv6 (65,535 less the headers). */
const MAX_UDP_IPV4 = 65507;
const MAX_UDP_IPV6 = 65527;
/** Bytes of a datagram's header in the arena (native DatagramHeader). */
const HEADER_BYTES = 16;
/** Senders (and destinations) remembered with their Address and native bytes; past this many the cache starts over. */
const ADDRESS_CACHE_LIMIT = 1024;

/** The hooks DatagramSet needs from its reactor. */
export interface DatagramHost {
  native(): NativeReactor;
  readonly triggerCode: number;
  readonly logger: Logger;
  /** The read arena as the stream side holds it (shared: one arena per reactor). */
  arena(): Buffer;
  /** Datagrams handed out as views reach `end` of the arena: the core must not reuse it. */
  keepArena(end: number): void;
}

export type DatagramFamily = 'INET' | 'INET6' | 'UNIX';

const FAMILY_CODES: Record<DatagramFamily, number> = { INET: C.FAMILY_IPV4, INET6: C.FAMILY_IPV6, UNIX: C.FAMILY_UNIX };

export class DatagramSet implements DatagramPortOwner {
  private readonly ports: (DatagramPort | undefined)[] = [];
  /** Senders by a key of their native bytes: the Address protocols get, made once. */
  private readonly senders = new Map<number | string, Address>();
  /** The native bytes of every Address handed out or written to, so a reply parses nothing. */
  private readonly nativeAddresses = new WeakMap<object, Buffer>();
  /** Destinations given as {host, port} or a path, by their text: their native bytes. */
  private readonly destinations = new Map<string, Buffer>();

  constructor(private readonly host: DatagramHost) {}

  private get native(): NativeReactor {
    return this.host.native();
  }

  // ---- creating ports -----------------------------------------------------------------------

  /** A port of `family`, bound to `bind` unless undefined, then connected to `connectTo` (UNIX) unless undefined. */
  open(
    family: DatagramFamily,
    bind: { address: string | Buffer; port: number } | undefined,
    protocol: DatagramProtocol,
    maxPacketSize: number,
    unix: { name: string | null; mode?: number; connectTo?: Buffer },
  ): DatagramPort {
    const code = FAMILY_CODES[family];
    const name = this.native.datagramOpen(code, bind === undefined ? 0 : code, bind?.address ?? '', bind?.port ?? 0, maxPacketSize, this.host.triggerCode);
    if (name < 0) throw new ReactorSystemError(name, 'bind', bind === undefined ? family : describeBind(family, bind));
    const port = new DatagramPort(this, slotOf(name), generationOf(name), protocol, family, maxPacketSize, unix.name);
    try {
      if (unix.mode !== undefined && unix.name !== null && !unix.name.startsWith('\0')) chmodSync(unix.name, unix.mode);
      if (unix.connectTo !== undefined) {
        const rc = this.native.datagramConnect(port.slot, port.generation, C.FAMILY_UNIX, unix.connectTo, 0);
        if (rc < 0) throw new ReactorSystemError(rc, 'connect', `path ${JSON.stringify(unix.connectTo.toString())}`);
        port.peerConnected = true;
      }
    } catch (err) {
      this.native.datagramClose(port.slot, port.generation);
      this.unlinkName(port);
      throw err;
    }
    return this.start(port);
  }

  adopt(fd: number, family: DatagramFamily, protocol: DatagramProtocol, maxPacketSize: number): DatagramPort {
    const name = this.native.datagramAdopt(fd, maxPacketSize, this.host.triggerCode);
    if (name < 0) throw new ReactorSystemError(name, 'adopt', `descriptor ${fd} (a datagram socket is needed)`);
    const port = new DatagramPort(this, slotOf(name), generationOf(name), protocol, family, maxPacketSize, null);
    const reply = this.native.address(port.slot, port.generation, false);
    const actual = typeof reply === 'number' ? undefined : reply[0];
    if (actual !== FAMILY_CODES[family]) {
      this.native.datagramClose(port.slot, port.generation);
      throw new InvalidArgValueError(`descriptor ${fd} is not a ${family} datagram socket`, 'ERR_IOREACTOR_INVALID_FAMILY');
    }
    port.peerConnected = typeof this.native.address(port.slot, port.generation, true) !== 'number';
    return this.start(port);
  }

  private start(port: DatagramPort): DatagramPort {
    this.ports[port.slot] = port;
    if (trace.enabled) trace('datagram port open: slot %d', port.slot);
    try {
      port.protocol.makeConnection(port);
    } catch (err) {
      this.report(`Unhandled error in ${prefixOf(port.protocol)}.startProtocol:`, err);
    }
    return port;
  }

  // ---- DatagramPortOwner ----------------------------------------------------------------------

  write(port: DatagramPort, data: unknown, addr: unknown): void {
    assertBytes(data);
    port.assertOpen();
    if (port.family !== 'UNIX' && data.byteLength > (port.family === 'INET' ? MAX_UDP_IPV4 : MAX_UDP_IPV6)) {
      throw new DatagramTooLargeError(
        `a UDP datagram over ${port.family === 'INET' ? 'IPv4' : 'IPv6'} carries at most ${port.family === 'INET' ? MAX_UDP_IPV4 : MAX_UDP_IPV6} bytes, received ${data.byteLength}`,
      );
    }
    const target = addr === undefined ? this.connectedTarget(port) : this.targetFor(port, addr);
    const rc = this.native.datagramWrite(port.slot, port.generation, data, target);
    if (rc < 0) this.writeFailed(port, rc);
  }

  connect(port: DatagramPort, host: unknown, portNumber: unknown): void {
    port.assertOpen();
    if (port.family === 'UNIX') throw new InvalidArgValueError('a UNIX datagram port connects with connectUNIXDatagram', 'ERR_IOREACTOR_INVALID_ADDRESS');
    if (port.connectedAddress !== undefined) throw new InvalidArgValueError('the port is already connected', 'ERR_IOREACTOR_ALREADY_CONNECTED');
    const host_ = numericHost(port, host);
    assertPort(portNumber);
    const rc = this.native.datagramConnect(port.slot, port.generation, FAMILY_CODES[port.family], host_, portNumber);
    if (rc < 0) throw new ReactorSystemError(rc, 'connect', `${host_} port ${portNumber}`);
    port.connectedAddress = { host: host_, port: portNumber };
    port.peerConnected = true;
  }

  close(port: DatagramPort): void {
    if (this.ports[port.slot] !== port) return;
    this.ports[port.slot] = undefined;
    if (trace.enabled) trace('datagram port closed: slot %d', port.slot);
    this.native.datagramClose(port.slot, port.generation);
    this.unlinkName(port);
    try {
      port.protocol.doStop();
    } catch (err) {
      this.report(`Unhandled error in ${prefixOf(port.protocol)}.stopProtocol:`, err);
    }
  }

  hostAddress(port: DatagramPort): Address {
    if (port.unixName !== null) return new UNIXAddress(port.unixName);
    const reply = this.native.address(port.slot, port.generation, false);
    if (typeof reply === 'number') throw new ReactorSystemError(reply, 'getsockname');
    return addressFromNative(reply, 'UDP');
  }

  option(port: DatagramPort, which: 'broadcast' | 'ttl' | 'loopback', value: unknown): number {
    port.assertOpen();
    let code = -1;
    if (value !== undefined) {
      if (which === 'ttl') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
          throw new InvalidArgValueError(`ttl must be an integer from 0 to 255, received ${describe(value)}`, 'ERR_IOREACTOR_INVALID_ARG_VALUE');
        }
        code = value;
      } else {
        if (typeof value !== 'boolean') throw new InvalidArgTypeError(`${which} must be a boolean, received ${describe(value)}`);
        code = value ? 1 : 0;
      }
    }
    const option = { broadcast: C.OPTION_BROADCAST, ttl: C.OPTION_MULTICAST_TTL, loopback: C.OPTION_MULTICAST_LOOP }[which];
    const rc = this.native.datagramOption(port.slot, port.generation, option, code);
    if (rc < 0) throw new ReactorSystemError(rc, value === undefined ? 'getsockopt' : 'setsockopt');
    return rc;
  }

  membership(port: DatagramPort, join: boolean, group: unknown, iface: unknown): void {
    port.assertOpen();
    const version = port.family === 'INET6' ? 6 : 4;
    if (typeof group !== 'string' || isIP(group) !== version) {
      throw new InvalidArgValueError(`group must be a numeric IPv${version} multicast address, received ${describe(group)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
    }
    const iface_ = interfaceText(port, iface);
    const rc = this.native.datagramMembership(port.slot, port.generation, join, group, iface_);
    if (rc === -C_EINVAL)
      throw new InvalidArgValueError(`not a multicast group or interface: ${group} on ${describe(iface_)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
    if (rc < 0) throw new ReactorSystemError(rc, join ? 'join group' : 'leave group', `${group} on ${describe(iface_)}`);
  }

  outgoingInterface(port: DatagramPort, iface: unknown): string {
    port.assertOpen();
    const reply =
      iface === undefined
        ? this.native.datagramInterface(port.slot, port.generation)
        : this.native.datagramInterface(port.slot, port.generation, interfaceText(port, iface));
    if (typeof reply === 'number') {
      if (reply === -C_EINVAL) throw new InvalidArgValueError(`not an interface: ${describe(iface)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
      throw new ReactorSystemError(reply, iface === undefined ? 'getsockopt' : 'setsockopt', 'multicast interface');
    }
    return reply;
  }

  // ---- dispatch ---------------------------------------------------------------------------------

  /** Handles a RECORD_DATAGRAMS or RECORD_DATAGRAM_ERROR record. */
  dispatch(type: number, slot: number, generation: number, a: number, b: number, c: number): void {
    const port = this.ports[slot];
    if (port === undefined || port.generation !== generation) return;
    if (type === C.RECORD_DATAGRAMS) this.deliver(port, a, c);
    else this.onError(port, a);
  }

  private deliver(port: DatagramPort, offset: number, count: number): void {
    const arena = this.host.arena();
    const protocol = port.protocol;
    const borrowed = protocol.borrowData === true;
    let keptEnd = 0;
    let at = offset;
    for (let i = 0; i < count && port.listening; i++) {
      const length = arena.readUInt32LE(at);
      const truncated = (arena.readUInt16LE(at + 8) & C.DATAGRAM_TRUNCATED) !== 0;
      const addressLength = arena.readUInt16LE(at + 10);
      const addr = this.sender(arena, at + HEADER_BYTES, addressLength);
      const start = at + HEADER_BYTES + addressLength;
      const end = start + length;
      let data: Buffer;
      if (borrowed || length >= VIEW_READ_BYTES) {
        data = arena.subarray(start, end);
        if (!borrowed) keptEnd = end;
      } else {
        data = Buffer.allocUnsafe(length);
        arena.copy(data, 0, start, end);
      }
      if (truncated) this.truncated(port, data, addr, arena.readUInt32LE(at + 4));
      else {
        try {
          protocol.datagramReceived(data, addr);
        } catch (err) {
          this.report(`Unhandled error in ${prefixOf(protocol)}.datagramReceived:`, err);
        }
      }
      at = (end + 3) & ~3;
    }
    if (keptEnd > 0) this.host.keepArena(keptEnd);
  }

  /** The Address for a sender's native bytes: one Address per sender, made on first sight. */
  private sender(arena: Buffer, at: number, length: number): Address {
    const family = arena.readUInt16LE(at);
    // IPv4 keys are numbers (address * 2^16 + port, exact); the rest their bytes as text.
    const key = family === C.FAMILY_IPV4 ? arena.readUInt32BE(at + 8) * 65536 + arena.readUInt16LE(at + 2) : arena.toString('latin1', at, at + length);
    let addr = this.senders.get(key);
    if (addr !== undefined) return addr;
    if (family === C.FAMILY_UNIX) {
      const pathLength = arena.readUInt16LE(at + 2);
      addr = new UNIXAddress(pathLength === 0 ? null : arena.toString('utf8', at + 4, at + 4 + pathLength));
    } else {
      addr = addressFromBlob(arena, at, null, 'UDP');
    }
    if (this.senders.size >= ADDRESS_CACHE_LIMIT) this.senders.clear();
    this.senders.set(key, addr);
    this.nativeAddresses.set(addr, Buffer.from(arena.subarray(at, at + length)));
    return addr;
  }

  private truncated(port: DatagramPort, data: Buffer, addr: Address, size: number): void {
    const protocol = port.protocol as DatagramProtocol & Partial<DatagramTruncationHandler>;
    const realSize = size > 0 ? size : undefined;
    try {
      if (typeof protocol.datagramTruncated === 'function') {
        protocol.datagramTruncated(data, addr, realSize);
        return;
      }
    } catch (err) {
      this.report(`Unhandled error in ${prefixOf(protocol)}.datagramTruncated:`, err);
      return;
    }
    const what = realSize === undefined ? 'larger than' : `${realSize} bytes, over`;
    this.report(
      `Datagram truncated on ${describePort(port)}:`,
      new DatagramTruncatedError(`a datagram from ${String(addr)} was ${what} maxPacketSize ${port.maxPacketSize} and was dropped`, realSize),
    );
  }

  private onError(port: DatagramPort, error: number): void {
    const protocol = port.protocol;
    const cause = new ReactorSystemError(error, 'datagram');
    if (cause.code === 'ECONNREFUSED') {
      try {
        protocol.connectionRefused();
      } catch (err) {
        this.report(`Unhandled error in ${prefixOf(protocol)}.connectionRefused:`, err);
      }
      return;
    }
    if (cause.code === 'EMSGSIZE') {
      this.report(`Datagram dropped on ${describePort(port)}:`, new DatagramTooLargeError('message too long', { cause }));
      return;
    }
    this.report(`Error on ${describePort(port)}:`, cause);
  }

  // ---- addresses ----------------------------------------------------------------------------------

  private connectedTarget(port: DatagramPort): null {
    if (!port.peerConnected) throw new InvalidArgValueError('write() needs an address: the port is not connected', 'ERR_IOREACTOR_DATAGRAM_ADDRESS_REQUIRED');
    return null;
  }

  /** The native bytes of a destination. */
  private targetFor(port: DatagramPort, addr: unknown): Buffer | null {
    if (addr !== null && typeof addr === 'object') {
      const known = this.nativeAddresses.get(addr);
      if (known !== undefined && this.familyOf(known) === FAMILY_CODES[port.family]) return this.checkConnected(port, addr, known);
    }
    if (port.family === 'UNIX') {
      const path = typeof addr === 'string' ? addr : addr instanceof UNIXAddress ? addr.name : undefined;
      if (typeof path !== 'string' || path.length === 0) {
        throw new InvalidArgValueError(`a UNIX datagram port writes to a path or UNIXAddress, received ${describe(addr)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
      }
      return this.destination(port, `u${path}`, () => [C.FAMILY_UNIX, Buffer.from(path, 'utf8'), 0]);
    }
    if (addr === null || typeof addr !== 'object') {
      throw new InvalidArgTypeError(`addr must be { host, port } or an address, received ${describe(addr)}`);
    }
    const { host, port: portNumber } = addr as { host?: unknown; port?: unknown };
    const host_ = numericHost(port, host);
    assertPort(portNumber);
    if (portNumber === 0) throw new InvalidArgValueError('cannot send to port 0', 'ERR_IOREACTOR_INVALID_PORT');
    const bytes = this.destination(port, `${host_} ${portNumber}`, () => [FAMILY_CODES[port.family], host_, portNumber]);
    return this.checkConnected(port, addr, bytes);
  }

  private checkConnected(port: DatagramPort, addr: object, bytes: Buffer): Buffer | null {
    const connected = port.connectedAddress;
    if (connected === undefined) return bytes;
    const { host, port: p } = addr as { host?: unknown; port?: unknown };
    if (host !== connected.host || p !== connected.port) {
      throw new InvalidArgValueError(
        `the port is connected to ${connected.host} port ${connected.port}: write() takes no other address`,
        'ERR_IOREACTOR_INVALID_ADDRESS',
      );
    }
    return null;
  }

  private destination(port: DatagramPort, key: string, args: () => [number, string | Buffer, number]): Buffer {
    let bytes = this.destinations.get(key);
    if (bytes !== undefined) return bytes;
    const [family, address, portNumber] = args();
    const reply = this.native.datagramAddress(family, address, portNumber);
    if (typeof reply === 'number') throw new InvalidArgValueError(`not a valid ${port.family} address: ${describe(address)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
    bytes = reply;
    if (this.destinations.size >= ADDRESS_CACHE_LIMIT) this.destinations.clear();
    this.destinations.set(key, bytes);
    return bytes;
  }

  private familyOf(bytes: Buffer): number {
    return bytes.readUInt16LE(0);
  }

  private writeFailed(port: DatagramPort, rc: number): never | void {
    const cause = new ReactorSystemError(rc, 'send');
    switch (cause.code) {
      case 'EMSGSIZE':
        throw new DatagramTooLargeError('message too long', { cause });
      case 'ECONNREFUSED':
        // A connected port hears of its peer's closed port on a later send too (as in Twisted).
        try {
          port.protocol.connectionRefused();
        } catch (err) {
          this.report(`Unhandled error in ${prefixOf(port.protocol)}.connectionRefused:`, err);
        }
        return;
      case 'EBADF':
        throw new DatagramPortClosedError();
      default:
        throw cause;
    }
  }

  // ---- shutdown ---------------------------------------------------------------------------------

  /** Stops every port (the reactor is shutting down or closing). */
  disconnectAll(): void {
    for (const port of this.ports) {
      if (port === undefined) continue;
      try {
        port.stopListening();
      } catch (err) {
        this.report('Unhandled error in stopListening:', err);
      }
    }
  }

  /** The ports still open, in slot order. */
  openPorts(): DatagramPort[] {
    return this.ports.filter((p): p is DatagramPort => p !== undefined);
  }

  private unlinkName(port: DatagramPort): void {
    if (port.unixName === null || port.unixName.startsWith('\0')) return;
    try {
      unlinkSync(port.unixName);
    } catch {
      // already gone: nothing to clean up
    }
  }

  private report(message: string, err: unknown): void {
    reportError(this.host.logger, message, err);
  }
}

/** EINVAL as the native core returns it (negated): a malformed address or interface. */
const C_EINVAL = 22;

function numericHost(port: DatagramPort, host: unknown): string {
  if (typeof host !== 'string') throw new InvalidArgTypeError(`host must be a string, received ${describe(host)}`);
  const version = port.family === 'INET6' ? 6 : 4;
  if (isIP(host) !== version) {
    throw new InvalidArgValueError(
      `host must be a numeric IPv${version} address on this port (as Twisted's UDP), received ${describe(host)}`,
      'ERR_IOREACTOR_INVALID_ADDRESS',
    );
  }
  return host;
}

function interfaceText(port: DatagramPort, iface: unknown): string {
  if (typeof iface !== 'string') throw new InvalidArgTypeError(`interface must be a string, received ${describe(iface)}`);
  if (port.family === 'INET' && iface !== '' && isIP(iface) !== 4) {
    throw new InvalidArgValueError(`an IPv4 multicast interface is named by its address, received ${describe(iface)}`, 'ERR_IOREACTOR_INVALID_ADDRESS');
  }
  return iface;
}

function describeBind(family: DatagramFamily, bind: { address: string | Buffer; port: number }): string {
  return family === 'UNIX' ? `path ${JSON.stringify(bind.address.toString())}` : `${String(bind.address)} port ${bind.port}`;
}

function describePort(port: DatagramPort): string {
  try {
    return String(port.getHost());
  } catch {
    return 'a datagram port';
  }
}

function prefixOf(protocol: DatagramProtocol): string {
  try {
    return protocol.logPrefix();
  } catch {
    return 'protocol';
  }
}
