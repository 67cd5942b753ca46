// An in-memory transport, like Twisted's proto_helpers.StringTransport: it records writes and
// the producer calls, so the receivers' parsing can be tested without sockets.
import { type IProducer, type Protocol } from '../../../src/index';
import { InertTransportSurface } from '../../support/fake-transport';

export class StringTransport extends InertTransportSurface {
  readonly written: Buffer[] = [];
  disconnecting = false;
  aborted = false;
  producerState: 'producing' | 'paused' | 'stopped' = 'producing';
  producer: IProducer | undefined;
  streaming = false;

  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('bytes only');
    this.written.push(Buffer.from(data));
  }
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const d of data) this.write(d);
  }
  loseConnection(): void {
    this.disconnecting = true;
  }
  abortConnection(): void {
    this.disconnecting = true;
    this.aborted = true;
  }
  override pauseProducing(): void {
    this.producerState = 'paused';
  }
  override resumeProducing(): void {
    this.producerState = 'producing';
  }
  override stopProducing(): void {
    this.producerState = 'stopped';
  }
  override registerProducer(producer: IProducer, streaming: boolean): void {
    this.producer = producer;
    this.streaming = streaming;
  }
  override unregisterProducer(): void {
    this.producer = undefined;
  }
  value(): Buffer {
    return Buffer.concat(this.written);
  }
  clear(): void {
    this.written.length = 0;
  }
}

/** Connects `protocol` to a fresh StringTransport. */
export function connectString<P extends Protocol>(protocol: P): { protocol: P; transport: StringTransport } {
  const transport = new StringTransport();
  protocol.makeConnection(transport as never);
  return { protocol, transport };
}

/** Splits `data` into pieces of `size` bytes (the last one may be shorter). */
export function pieces(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
export const strs = (list: Buffer[]): string[] => list.map((x) => x.toString('latin1'));
