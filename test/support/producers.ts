// Producers and flow control shared by the producer suites: a payload whose order can be
// checked, a streaming producer that records what it is told, and a stall detector.
import { expect } from 'vitest';
import type { IPushProducer, Protocol, Reactor, StreamTransport } from '../../src/index';

export const st = (p: Protocol): StreamTransport => p.transport as unknown as StreamTransport;

/** `size` bytes of 32-bit little-endian counters from `seed`: any reordering or loss shows. */
export function pattern(size: number, seed = 0): Buffer {
  const b = Buffer.alloc(size);
  const words = new Uint32Array(b.buffer, b.byteOffset, size >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = i + seed;
  return b;
}

export type Action = { kind: 'pause' | 'resume' | 'stop'; buffered: number };

/** A streaming producer that writes `payload` in `chunk`-byte writes whenever it is not paused. */
export class SendingProducer implements IPushProducer {
  readonly actions: Action[] = [];
  paused = false;
  finished = false;
  sent = 0;
  constructor(
    private readonly transport: StreamTransport,
    private readonly payload: Buffer,
    private readonly chunk: number,
    private readonly onFinished: () => void = () => {},
    private readonly log: string[] = [],
  ) {}
  pauseProducing(): void {
    this.actions.push({ kind: 'pause', buffered: this.transport.bufferedAmount });
    this.paused = true;
  }
  resumeProducing(): void {
    this.actions.push({ kind: 'resume', buffered: this.transport.bufferedAmount });
    this.paused = false;
    this.produce();
  }
  stopProducing(): void {
    this.actions.push({ kind: 'stop', buffered: -1 });
    this.log.push('stopProducing');
    this.paused = true;
    this.finished = true;
  }
  produce(): void {
    while (!this.paused && !this.finished && this.sent < this.payload.length) {
      const end = Math.min(this.sent + this.chunk, this.payload.length);
      const piece = this.payload.subarray(this.sent, end);
      this.sent = end;
      this.transport.write(piece);
    }
    if (!this.finished && this.sent === this.payload.length) {
      this.finished = true;
      this.onFinished();
    }
  }
  kinds(): string[] {
    return this.actions.map((a) => a.kind);
  }
}

/** Pause/resume strictly alternate from a pause; pauses sit just past the mark, resumes at empty. */
export function expectThrottled(p: SendingProducer, highWaterMark: number, chunk: number): void {
  expect(p.actions.length).toBeGreaterThan(0);
  p.actions.forEach((a, i) => {
    expect(a.kind, `action ${i} of ${p.kinds().join(',')}`).toBe(i % 2 === 0 ? 'pause' : 'resume');
    if (a.kind === 'pause') {
      expect(a.buffered).toBeGreaterThan(highWaterMark);
      expect(a.buffered).toBeLessThanOrEqual(highWaterMark + chunk);
    } else {
      expect(a.buffered, 'resumed before everything was sent').toBe(0);
    }
  });
}

/** Polls until `producer` has been paused with nothing moving for `polls` polls of 20 ms. */
export function whenStalled(reactor: Reactor, probe: () => { paused: boolean; buffered: number } | undefined, then: () => void, polls = 4): void {
  let last = -1;
  let still = 0;
  const watch = (): void => {
    const now = probe();
    if (now !== undefined && now.paused && now.buffered === last) still++;
    else still = 0;
    last = now?.buffered ?? -1;
    if (still >= polls) then();
    else reactor.callLater(0.02, watch);
  };
  reactor.callLater(0.02, watch);
}
