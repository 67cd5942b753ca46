/**
 * Twisted's DatagramProtocol (twisted.internet.protocol): what a datagram port delivers to.
 */
import type { Address } from '../transport/address';
import type { DatagramTransport } from './datagram-port';

/**
 * Subclass and override what you need. A port calls `startProtocol` once it is listening,
 * `datagramReceived` for every datagram (with the sender's address), and `stopProtocol` once it
 * has stopped (stopListening, or the reactor shutting down or closing). One protocol may serve
 * several ports: it is started by the first and stopped with the last, as in Twisted.
 */
export class DatagramProtocol {
  /** The port this protocol is listening on (the latest, if several); undefined when stopped. */
  transport: DatagramTransport | undefined = undefined;
  /** Ports this protocol is listening on. */
  numPorts = 0;
  /**
   * Set to true to receive datagrams of 4 KiB and more as views of the reactor's read memory
   * that are only valid during the `datagramReceived` call (no copy, nothing kept): copy what
   * you keep. Smaller ones are always fresh copies.
   */
  borrowData?: boolean;

  /** Called by the port when it starts listening: records the transport, then startProtocol (first port only). */
  makeConnection(transport: DatagramTransport): void {
    this.transport = transport;
    this.doStart();
  }

  doStart(): void {
    if (this.numPorts === 0) this.startProtocol();
    this.numPorts++;
  }

  doStop(): void {
    this.numPorts = Math.max(0, this.numPorts - 1);
    if (this.numPorts > 0) return;
    this.transport = undefined;
    this.stopProtocol();
  }

  /** The port is listening (transport is set). */
  startProtocol(): void {}

  /** The last port stopped. */
  stopProtocol(): void {}

  /** A datagram arrived from `addr` (an IPv4Address / IPv6Address of type 'UDP', or a UNIXAddress). */
  datagramReceived(data: Buffer, addr: Address): void {}

  /**
   * Connected UDP only (transport.connect): the peer's port is closed (an ICMP port-unreachable
   * seen as ECONNREFUSED by a read or a write).
   */
  connectionRefused(): void {}

  /** What log messages call this protocol. */
  logPrefix(): string {
    return this.constructor.name;
  }
}

/**
 * The optional hook for datagrams larger than the port's maxPacketSize: `data` is the part that
 * fit, `size` the real size where the platform tells it (Linux), else undefined. Without it
 * such datagrams are dropped and a DatagramTruncatedError is logged.
 */
export interface DatagramTruncationHandler {
  datagramTruncated(data: Buffer, addr: Address, size: number | undefined): void;
}
