/**
 * The native addon, loaded once per environment (main thread or worker). node-gyp-build
 * prefers a prebuild from `prebuilds/` and falls back to the node-gyp build in `build/`.
 * Internal to the package.
 */
import * as path from 'node:path';

/**
 * The native reactor: a poller, its registration slots, and one uv_poll in Node's loop.
 *
 * A registration is named by slot and generation. Calls that create one return its name as
 * one number, slot * 2^32 + generation (see {@link slotOf}, {@link generationOf}), or -errno;
 * every later call carries slot and generation back, and a stale name (the registration is
 * gone, its slot perhaps reused) gets -EBADF or -ENOENT instead of reaching another socket.
 */
export interface NativeReactor {
  /** Opens the named backend. Returns 0 or -errno. */
  open(backend: string): number;
  /**
   * Registers fd; returns its name or -errno. With `owned` the core closes fd if it closes
   * (close(), finalizer, environment teardown) while fd is still registered; remove() hands it
   * back open, for the caller to close.
   */
  add(fd: number, interest: number, trigger: number, owned?: boolean): number;
  modify(slot: number, generation: number, interest: number): number;
  remove(slot: number, generation: number): number;
  /** Starts watching; the process stays alive until stop() or close(). 0 or -errno. */
  start(): number;
  stop(): void;
  close(): void;
  listen(family: number, address: string | Buffer, port: number, backlog: number, trigger: number, reusePort: boolean): number;
  connect(family: number, address: string | Buffer, port: number, bindFamily: number, bindHost: string, bindPort: number, trigger: number): number;
  adopt(fd: number, listening: boolean, trigger: number): number;
  /** Returns the bytes still buffered, or -errno. */
  write(slot: number, generation: number, data: ArrayBufferView): number;
  /** Writes the chunks in order (one sendmsg where they go out at once); as write. */
  writev(slot: number, generation: number, chunks: ArrayBufferView[]): number;
  /** The core's counters, in the order of `binding.counters`. */
  stats(): Float64Array;
  /** Reads continue in `arena` (ARENA_BYTES long). 0 or -errno. */
  setArena(arena: ArrayBuffer): number;
  closeStream(slot: number, generation: number, mode: number): number;
  setReading(slot: number, generation: number, reading: boolean): number;
  setHalfClose(slot: number, generation: number, enabled: boolean): number;
  requestDrain(slot: number, generation: number): number;
  resumeListener(slot: number, generation: number): number;
  closeListener(slot: number, generation: number): number;
  socketOption(slot: number, generation: number, which: number, value?: boolean): number;
  address(slot: number, generation: number, peer: boolean): [number, string | Buffer | null, number, number] | number;
  pending(slot: number, generation: number): number;
  /** Queues a copy of fd to ride with the next byte written (UNIX streams). 0 or -errno. */
  sendDescriptor(slot: number, generation: number, fd: number): number;
  /** Takes a received descriptor (of a RECORD_DESCRIPTOR) from the core, which otherwise closes it after the batch. 0 or -errno. */
  claimDescriptor(fd: number): number;
  /** A datagram socket of `family`, bound unless bindFamily is 0: its name or -errno. */
  datagramOpen(family: number, bindFamily: number, bindAddress: string | Buffer, bindPort: number, maxPacketSize: number, trigger: number): number;
  /** Adopts (a duplicate of) a datagram socket: its name or -errno. */
  datagramAdopt(fd: number, maxPacketSize: number, trigger: number): number;
  datagramConnect(slot: number, generation: number, family: number, address: string | Buffer, port: number): number;
  /** Sends (or, during dispatch, queues) one datagram to `to` (bytes from datagramAddress or a read), or the connected peer when null. 0 or -errno. */
  datagramWrite(slot: number, generation: number, data: ArrayBufferView, to: Uint8Array | null): number;
  /**
   * Queues (or sends) the datagrams laid out in `staged[0, byteLength)` (native StagedDatagramHeader
   * each: slot, generation, length, address length, then the address and the bytes). The number
   * queued, or -errno for malformed bytes.
   */
  datagramWriteBatch(staged: Uint8Array, byteLength: number): number;
  datagramClose(slot: number, generation: number): number;
  /** Sets (value >= 0) and reads a datagram option (OPTION_BROADCAST...): its value or -errno. */
  datagramOption(slot: number, generation: number, which: number, value: number): number;
  datagramMembership(slot: number, generation: number, join: boolean, group: string, iface: string): number;
  /** The outgoing multicast interface, after setting it when given; or -errno. */
  datagramInterface(slot: number, generation: number, iface?: string): string | number;
  /** The native bytes of an address, for datagramWrite; or -errno. */
  datagramAddress(family: number, address: string | Buffer, port: number): Buffer | number;
  /** The batch records, RECORD_INTS int32s each (type, slot, generation, a, b, c); null once closed. */
  readonly records: Int32Array | null;
  /**
   * The memory DATA records point into when the reactor opens; the batch callback is handed its
   * replacements. Null once closed.
   */
  readonly arena: ArrayBuffer | null;
  readonly backend: string | null;
  /** Live registrations. */
  readonly registrationCount: number;
  /** Slots of closed sockets whose close record has not been delivered yet. */
  readonly heldCount: number;
}

/** The slot of a registration's name. */
export function slotOf(name: number): number {
  return Math.floor(name / 4294967296);
}

/** The generation of a registration's name, as the int32 records carry it. */
export function generationOf(name: number): number {
  return (name % 4294967296) | 0;
}

export interface NativeConstants {
  INTEREST_READ: number;
  INTEREST_WRITE: number;
  TRIGGER_LEVEL: number;
  TRIGGER_EDGE: number;
  TRIGGER_ONESHOT: number;
  READY_READ: number;
  READY_WRITE: number;
  READY_READ_HANGUP: number;
  READY_HANGUP: number;
  READY_ERROR: number;
  READY_INVALID: number;
  RECORD_INTS: number;
  ARENA_BYTES: number;
  ARENA_REPLACE_BELOW: number;
  RECORD_RAW: number;
  RECORD_DATA: number;
  RECORD_ACCEPT: number;
  RECORD_CONNECTED: number;
  RECORD_CONNECT_FAILED: number;
  RECORD_READ_CLOSED: number;
  RECORD_CLOSED: number;
  RECORD_DRAINED: number;
  RECORD_WRITE_CLOSED: number;
  RECORD_ACCEPT_ERROR: number;
  RECORD_DESCRIPTOR: number;
  RECORD_DATAGRAMS: number;
  RECORD_DATAGRAM_ERROR: number;
  DATAGRAM_TRUNCATED: number;
  OPTION_BROADCAST: number;
  OPTION_MULTICAST_TTL: number;
  OPTION_MULTICAST_LOOP: number;
  CLOSE_AFTER_FLUSH: number;
  CLOSE_ABORT: number;
  CLOSE_DISCARD: number;
  SHUT_WRITE_AFTER_FLUSH: number;
  FAMILY_UNIX: number;
  FAMILY_IPV4: number;
  FAMILY_IPV6: number;
  OPTION_NODELAY: number;
  OPTION_KEEPALIVE: number;
}

export interface NativeBinding {
  /**
   * `onBatch` is called once per batch with the number of records (negative: a failed wait) and,
   * when reads have moved to a new arena, that arena. It returns the end of the arena it handed
   * out as views (0 if none): the core never writes there again.
   */
  NativeReactor: new (onBatch: (count: number, arena: ArrayBuffer | undefined) => number) => NativeReactor;
  /** The names of the counters stats() returns, in order. */
  counters: string[];
  /** Backends this build has, the platform's own first: ['epoll', 'poll'] on Linux. */
  backends: string[];
  platformBackend: string;
  /** Whether datagramTruncated learns a datagram's real size: recvmmsg tells it, the recvmsg loop of other platforms (and of the portable-fallbacks build) does not. */
  datagramSizeKnown: boolean;
  /** The index of the interface an IPv6 zone names ("eth0", or an index as text), or -EINVAL. */
  interfaceIndex(zone: string): number;
  constants: NativeConstants;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- node-gyp-build is CommonJS with no types
const load = require('node-gyp-build') as (dir: string) => unknown;

/**
 * The addon, from the package root (the folder above src/ and lib/). IOREACTOR_ADDON names
 * another build of it (the sanitizer or cmake-js build), which the test scripts use.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
export const binding = (process.env.IOREACTOR_ADDON ? require(path.resolve(process.env.IOREACTOR_ADDON)) : load(path.join(__dirname, '..'))) as NativeBinding;
// A copy: the addon's object has its properties in dictionary mode (slow loads), and these are
// read per batch and per record on the hot path; a fresh frozen literal gets fast properties.
export const C: NativeConstants = Object.freeze({ ...binding.constants });
