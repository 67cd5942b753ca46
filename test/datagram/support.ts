// Helpers of the datagram suites: a recording protocol, an echo protocol, and node:dgram peers
// that are always closed.
import * as dgram from 'node:dgram';
import { DatagramProtocol, type Address, type DatagramPort, type Reactor } from '../../src/index';

export type IpFamily = { name: 'IPv4'; loopback: '127.0.0.1'; dgram: 'udp4' } | { name: 'IPv6'; loopback: '::1'; dgram: 'udp6' };
export const IP_FAMILIES: IpFamily[] = [
  { name: 'IPv4', loopback: '127.0.0.1', dgram: 'udp4' },
  { name: 'IPv6', loopback: '::1', dgram: 'udp6' },
];

/** Keeps what it hears; calls `onDatagram` after each (for tests that react). */
export class Recorder extends DatagramProtocol {
  readonly received: { data: Buffer; addr: Address }[] = [];
  started = 0;
  stopped = 0;
  refused = 0;
  onDatagram: (data: Buffer, addr: Address) => void = () => {};
  override startProtocol(): void {
    this.started++;
  }
  override stopProtocol(): void {
    this.stopped++;
  }
  override datagramReceived(data: Buffer, addr: Address): void {
    this.received.push({ data: Buffer.from(data), addr });
    this.onDatagram(data, addr);
  }
  override connectionRefused(): void {
    this.refused++;
  }
}

/** Sends every datagram back where it came from. */
export class Echo extends DatagramProtocol {
  override datagramReceived(data: Buffer, addr: Address): void {
    this.transport!.write(data, addr);
  }
}

export function listenLoopback(reactor: Reactor, family: IpFamily, protocol: DatagramProtocol, maxPacketSize?: number): DatagramPort {
  return reactor.listenUDP(0, protocol, { interface: family.loopback, maxPacketSize });
}

/** A node:dgram socket bound to the loopback address, closed by `closeNodeSockets`. */
export async function nodeSocket(family: IpFamily, opened: dgram.Socket[]): Promise<dgram.Socket> {
  const socket = dgram.createSocket(family.dgram);
  opened.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, family.loopback, resolve));
  return socket;
}

export async function closeNodeSockets(opened: dgram.Socket[]): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

/** A datagram whose bytes say which one it is and check themselves: `index` and a pattern. */
export function numbered(index: number, size: number): Buffer {
  const data = Buffer.alloc(size);
  data.writeUInt32BE(index, 0);
  for (let i = 4; i < size; i++) data[i] = (index + i) & 0xff;
  return data;
}

export function numberOf(data: Buffer, size: number): number {
  if (data.length !== size) return -1;
  const index = data.readUInt32BE(0);
  for (let i = 4; i < size; i++) if (data[i] !== ((index + i) & 0xff)) return -1;
  return index;
}
