// Small raw descriptors for the conformance suites.
import { readSync, writeSync } from 'node:fs';
import { ConnectionDone, type Failure, type IReadDescriptor, type IWriteDescriptor } from '../../src/index';

const scratch = Buffer.alloc(65536);

/** Reads what is available, stopping at EAGAIN. Returns the bytes and whether EOF was seen. */
export function drain(fd: number, maxReads = 1000): { data: Buffer; eof: boolean } {
  const chunks: Buffer[] = [];
  for (let i = 0; i < maxReads; i++) {
    let n: number;
    try {
      n = readSync(fd, scratch, 0, scratch.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw err;
    }
    if (n === 0) return { data: Buffer.concat(chunks), eof: true };
    chunks.push(Buffer.from(scratch.subarray(0, n)));
  }
  return { data: Buffer.concat(chunks), eof: false };
}

/** Writes until the kernel buffer is full; returns the number of bytes written. */
export function fill(fd: number, maxBytes = 64 * 1024 * 1024): number {
  const chunk = Buffer.alloc(65536, 0x61);
  let total = 0;
  while (total < maxBytes) {
    try {
      total += writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw err;
    }
  }
  return total;
}

/** A reader that drains its descriptor on each call and reports EOF as a clean end. */
export class DrainingReader implements IReadDescriptor {
  readonly received: Buffer[] = [];
  reads = 0;
  lost: Failure | undefined;

  constructor(
    readonly fd: number,
    private readonly onRead: (reader: DrainingReader) => void = () => {},
  ) {}

  fileno(): number {
    return this.fd;
  }

  doRead(): unknown {
    this.reads++;
    const { data, eof } = drain(this.fd);
    if (data.length > 0) this.received.push(data);
    this.onRead(this);
    return eof ? new ConnectionDone() : undefined;
  }

  connectionLost(reason: Failure): void {
    this.lost = reason;
  }

  get text(): string {
    return Buffer.concat(this.received).toString();
  }
}

/** A writer that counts how often it was told the descriptor is writable. */
export class CountingWriter implements IWriteDescriptor {
  writes = 0;
  lost: Failure | undefined;

  constructor(
    readonly fd: number,
    private readonly onWrite: (writer: CountingWriter) => unknown = () => undefined,
  ) {}

  fileno(): number {
    return this.fd;
  }

  doWrite(): unknown {
    this.writes++;
    return this.onWrite(this);
  }

  connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}
