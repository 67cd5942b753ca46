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
import { IPv6Address, UNIXAddress, type Address } from '../transport/address';
import { addressFromBlob, addressFromNative, assertPort, assertZone } from '../transport/native-addresses';
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
/** Bytes of a staged write's header (native StagedDatagramHeader): slot, generation, length, address length. */
const STAGED_HEADER_BYTES = 16;
/**
 * Room for the writes protocols make during a batch's deliveries, handed to the native side in
 * one call: nearly four of the largest UDP datagrams. A write that does not fit sends what is staged.
 */
const STAGING_BYTES = 256 * 1024;
/**
 * A record of datagrams up to this many bytes is copied out of the arena whole, once, and each
 * datagram a protocol keeps is a view of that copy (one allocation per batch, not per datagram).
 */
const RECORD_COPY_BYTES = 512 * 1024;
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

/** A sender seen: the Address protocols get and its native bytes (the destination of a reply). */
interface KnownSender {
  readonly address: Address;
  /** Null for an unnamed UNIX sender: there is nothing to reply to. */
  readonly bytes: Buffer | null;
  readonly family: number;
}

export class DatagramSet implements DatagramPortOwner {
  private readonly ports: (DatagramPort | undefined)[] = [];
  /** Senders by a key of their native bytes: the Address protocols get, made once. */
  private readonly senders = new Map<number | string, KnownSender>();
  /** The native bytes of every Address handed out or written to, so a reply parses nothing. */
  private readonly nativeAddresses = new WeakMap<object, Buffer>();
  /** Destinations given as {host, port} or a path, by their text: their native bytes. */
  private readonly destinations = new Map<string, Buffer>();

  /** Writes made during a delivery, laid out as StagedDatagramHeader says (see stage). */
  private staged: Uint8Array | undefined;
  private stagedWords: Uint32Array | undefined;
  private stagedHalves: Uint16Array | undefined;
  private stagedEnd = 0;
  /** The sender of each datagram of the record being delivered, for the next from the same sender (native same_sender_back). */
  private readonly recentSenders: KnownSender[] = [];
  /** The sender of the datagram being delivered: the destination of a reply, found with no lookup. */
  private lastSender: KnownSender | undefined;
  /** True while a record's datagrams are being delivered: writes are staged, not sent one by one. */
  private delivering = false;
  /** The port whose datagrams are being delivered (a reply through it to lastSender takes the short path in write). */
  private deliveringPort: DatagramPort | undefined;
  /** The arena the header views below were made over (the arena moves when protocols keep views of it). */
  private viewedArena: Buffer | undefined;
  /** The arena as 32- and 16-bit words: headers are read without Buffer's per-call offset checks. */
  private arenaWords: Uint32Array = new Uint32Array(0);
  private arenaHalves: Uint16Array = new Uint16Array(0);

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
    // The echo's case, a reply to the sender just delivered through the same port: its bytes
    // need no checks but the port's and the size, and its destination no lookup. The port was
    // given its family's addresses only, and a connected one compares host and port below.
    const last = this.lastSender;
    if (
      port === this.deliveringPort &&
      last !== undefined &&
      addr === last.address &&
      last.bytes !== null &&
      data instanceof Uint8Array &&
      port.listening &&
      port.connectedAddress === undefined &&
      (port.family === 'UNIX' || data.byteLength <= (port.family === 'INET' ? MAX_UDP_IPV4 : MAX_UDP_IPV6)) &&
      this.stage(port, data, last.bytes)
    ) {
      return;
    }
    assertBytes(data);
    port.assertOpen();
    if (port.family !== 'UNIX' && data.byteLength > (port.family === 'INET' ? MAX_UDP_IPV4 : MAX_UDP_IPV6)) {
      throw new DatagramTooLargeError(
        `a UDP datagram over ${port.family === 'INET' ? 'IPv4' : 'IPv6'} carries at most ${port.family === 'INET' ? MAX_UDP_IPV4 : MAX_UDP_IPV6} bytes, received ${data.byteLength}`,
      );
    }
    const target = addr === undefined ? this.connectedTarget(port) : this.targetFor(port, addr);
    if (this.delivering && this.stage(port, data, target)) return;
    // Written between deliveries of a batch (or too large to stage): what was staged before it
    // goes first, so the port's native queue only ever holds datagrams older than the staged.
    this.sendStaged();
    const rc = this.native.datagramWrite(port.slot, port.generation, data, target);
    if (rc < 0) this.writeFailed(port, rc);
  }

  connect(port: DatagramPort, host: unknown, portNumber: unknown): void {
    port.assertOpen();
    if (port.family === 'UNIX') throw new InvalidArgValueError('a UNIX datagram port connects with connectUNIXDatagram', 'ERR_IOREACTOR_INVALID_ADDRESS');
    if (port.connectedAddress !== undefined) throw new InvalidArgValueError('the port is already connected', 'ERR_IOREACTOR_ALREADY_CONNECTED');
    const host_ = numericHost(port, host);
    assertZone(host_);
    assertPort(portNumber);
    const rc = this.native.datagramConnect(port.slot, port.generation, FAMILY_CODES[port.family], host_, portNumber);
    if (rc < 0) throw new ReactorSystemError(rc, 'connect', `${host_} port ${portNumber}`);
    port.connectedAddress = { host: host_, port: portNumber };
    port.peerConnected = true;
  }

  close(port: DatagramPort): void {
    if (this.ports[port.slot] !== port) return;
    // What the protocol wrote before stopping goes out first, as it would have outside dispatch.
    this.sendStaged();
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
    if (type !== C.RECORD_DATAGRAMS) {
      this.onError(port, a);
      return;
    }
    // Restored rather than cleared, so a delivery inside a delivery (none today: the reactor does
    // not reenter) would leave the outer one's writes to the outer one.
    const outer = this.delivering;
    const outerPort = this.deliveringPort;
    this.delivering = true;
    this.deliveringPort = port;
    try {
      this.deliver(port, a, b, c);
    } finally {
      this.delivering = outer;
      this.deliveringPort = outerPort;
    }
  }

  /**
   * The batch's records were all dispatched: what deliveries staged is sent now, so a port
   * written to from many deliveries of the batch (a relay) still makes one sendmmsg per 64.
   */
  endBatch(): void {
    this.sendStaged();
  }

  private deliver(port: DatagramPort, offset: number, byteLength: number, count: number): void {
    const arena = this.host.arena();
    if (arena !== this.viewedArena) {
      // Headers are 4-aligned, and the arena is an ArrayBuffer of its own, a multiple of 4 long.
      this.arenaWords = new Uint32Array(arena.buffer, arena.byteOffset, arena.byteLength >> 2);
      this.arenaHalves = new Uint16Array(arena.buffer, arena.byteOffset, arena.byteLength >> 1);
      this.viewedArena = arena;
    }
    const words = this.arenaWords;
    const halves = this.arenaHalves;
    const truncatedFlag = C.DATAGRAM_TRUNCATED;
    const protocol = port.protocol;
    const borrowed = protocol.borrowData === true;
    let copy: Buffer | undefined;
    if (!borrowed && byteLength <= RECORD_COPY_BYTES) {
      copy = Buffer.allocUnsafe(byteLength);
      arena.copy(copy, 0, offset, offset + byteLength);
    }
    const recent = this.recentSenders;
    let keptEnd = 0;
    let at = offset;
    for (let i = 0; i < count && port.listening; i++) {
      // DatagramHeader: length, size, flags and address length, same_sender_back.
      const length = words[at >> 2];
      const truncated = (halves[(at >> 1) + 4] & truncatedFlag) !== 0;
      const addressLength = halves[(at >> 1) + 5];
      const back = words[(at >> 2) + 3];
      const sender = back > 0 && back <= i ? recent[i - back] : this.sender(arena, at + HEADER_BYTES, addressLength);
      recent[i] = sender;
      this.lastSender = sender;
      const addr = sender.address;
      const start = at + HEADER_BYTES + addressLength;
      const end = start + length;
      let data: Buffer;
      // Buffer.from over the memory is the view subarray makes, without its species lookups.
      if (copy !== undefined) data = Buffer.from(copy.buffer, copy.byteOffset + start - offset, length);
      else if (borrowed || length >= VIEW_READ_BYTES) {
        data = Buffer.from(arena.buffer, arena.byteOffset + start, length);
        if (!borrowed) keptEnd = end;
      } else {
        data = Buffer.allocUnsafe(length);
        arena.copy(data, 0, start, end);
      }
      if (truncated) this.truncated(port, data, addr, words[(at >> 2) + 1]);
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

  /**
   * Adds a write to those of this delivery, sent with one native call when it ends. False when
   * the datagram is too large to stage: it is then written alone, after what was staged.
   */
  private stage(port: DatagramPort, data: ArrayBufferView, target: Buffer | null): boolean {
    const addressLength = target === null ? 0 : target.byteLength;
    const length = data.byteLength;
    const size = STAGED_HEADER_BYTES + addressLength + length;
    if (this.stagedEnd + size > STAGING_BYTES) this.sendStaged();
    if (size > STAGING_BYTES) return false;
    if (this.staged === undefined) {
      const memory = new ArrayBuffer(STAGING_BYTES);
      this.staged = new Uint8Array(memory);
      this.stagedWords = new Uint32Array(memory);
      this.stagedHalves = new Uint16Array(memory);
    }
    const at = this.stagedEnd;
    const words = this.stagedWords!;
    const halves = this.stagedHalves!;
    words[at >> 2] = port.slot;
    words[(at >> 2) + 1] = port.generation;
    words[(at >> 2) + 2] = length;
    halves[(at >> 1) + 6] = addressLength;
    halves[(at >> 1) + 7] = 0;
    if (target !== null) this.staged.set(target, at + STAGED_HEADER_BYTES);
    this.staged.set(data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, length), at + STAGED_HEADER_BYTES + addressLength);
    this.stagedEnd = (at + size + 3) & ~3;
    return true;
  }

  /**
   * Hands the staged writes to the native side, which sends them at once from this buffer (one
   * sendmmsg per run of a port's datagrams, after what that port queued earlier in the batch).
   * Called only where sending is due: the batch ends, the buffer is full, a port closes, or a
   * write that is not staged must not overtake the staged ones.
   */
  private sendStaged(): void {
    const end = this.stagedEnd;
    if (end === 0) return;
    this.stagedEnd = 0;
    const rc = this.native.datagramWriteBatch(this.staged!, end);
    if (rc < 0) this.report('Staged datagrams dropped:', new ReactorSystemError(rc, 'send'));
  }

  /** The Address for a sender's native bytes: one Address per sender, made on first sight. */
  private sender(arena: Buffer, at: number, length: number): KnownSender {
    // The address is 4-aligned (it follows a header): its AddressBlob read as words.
    const family = this.arenaHalves[at >> 1];
    // IPv4 keys are numbers (address * 2^16 + port, exact); the rest their bytes as text.
    const key = family === C.FAMILY_IPV4 ? this.arenaWords[(at >> 2) + 2] * 65536 + this.arenaHalves[(at >> 1) + 1] : arena.toString('latin1', at, at + length);
    const known = this.senders.get(key);
    if (known !== undefined) return known;
    let addr: Address;
    let unnamed = false;
    if (family === C.FAMILY_UNIX) {
      const pathLength = arena.readUInt16LE(at + 2);
      unnamed = pathLength === 0;
      addr = new UNIXAddress(unnamed ? null : arena.toString('utf8', at + 4, at + 4 + pathLength));
    } else {
      addr = addressFromBlob(arena, at, null, 'UDP');
    }
    if (this.senders.size >= ADDRESS_CACHE_LIMIT) this.senders.clear();
    const sender: KnownSender = { address: addr, bytes: unnamed ? null : Buffer.from(arena.subarray(at, at + length)), family };
    this.senders.set(key, sender);
    // A write to an unnamed sender is refused at the call, as any UNIXAddress without a path.
    if (sender.bytes !== null) this.nativeAddresses.set(addr, sender.bytes);
    return sender;
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
    const last = this.lastSender;
    if (last !== undefined && addr === last.address && last.bytes !== null && last.family === FAMILY_CODES[port.family])
      return this.checkConnected(port, last.address, last.bytes);
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
    let host_ = numericHost(port, host);
    // An IPv6Address keeps its scope apart from its host, as a socket address does.
    if (addr instanceof IPv6Address && addr.scopeID !== 0 && !host_.includes('%')) host_ = `${host_}%${addr.scopeID}`;
    assertPort(portNumber);
    if (portNumber === 0) throw new InvalidArgValueError('cannot send to port 0', 'ERR_IOREACTOR_INVALID_PORT');
    // The zone is checked (a system call or two) only when the destination is not cached yet.
    const bytes = this.destination(port, `${host_} ${portNumber}`, () => {
      assertZone(host_);
      return [FAMILY_CODES[port.family], host_, portNumber];
    });
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
