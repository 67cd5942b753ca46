import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { describe } from '../../util/validate';
import type { IDelayedCall, IReactorTime } from '../../interfaces/time';
import type { Bytes, IProducer, IPushProducer } from '../../interfaces/transport';
import type { Factory } from '../../protocol/factory';
import type { Protocol } from '../../protocol/protocol';
import type { Address } from '../../transport/address';
import { checkClock, NO_CLOCK } from './timeout';
import { ProtocolWrapper, WrappingFactory } from './wrapper';

/**
 * The wrapper of {@link ThrottlingFactory}: Twisted's `policies.ThrottlingProtocol`. It counts
 * the bytes its protocol reads and writes, and pauses reads (the transport) or writes (the
 * registered producer) when the factory says so.
 *
 * Better than Twisted: a pause asked for by the wrapped protocol and a throttling pause are
 * tracked apart, so the end of throttling does not resume reads the protocol itself paused,
 * and the transport's own flow control (its high-water mark) cannot resume a producer the
 * throttle paused. A pull producer asked for more while writes are throttled is asked once
 * the throttle ends.
 */
export class ThrottlingProtocol<P extends Protocol = Protocol> extends ProtocolWrapper<P> {
  declare factory: ThrottlingFactory;
  #readThrottled = false;
  #readPausedByProtocol = false;
  #writeThrottled = false;
  #producer: IProducer | undefined;
  #streaming = false;
  #producerPausedByTransport = false;
  #pullWanted = false;

  override write(data: Bytes): void {
    // Bytes, not elements: any ArrayBufferView may be written (what is not one, write refuses).
    this.factory.registerWritten(ArrayBuffer.isView(data) ? data.byteLength : 0);
    super.write(data);
  }

  override writeSequence(data: Iterable<Bytes>): void {
    if (data === null || typeof (data as Partial<Iterable<Bytes>>)?.[Symbol.iterator] !== 'function') {
      throw new InvalidArgTypeError(`writeSequence() takes an iterable of bytes, received ${describe(data)}`, 'ERR_IOREACTOR_INVALID_DATA');
    }
    const chunks = [...data];
    let n = 0;
    for (const c of chunks) n += ArrayBuffer.isView(c) ? c.byteLength : 0;
    this.factory.registerWritten(n);
    super.writeSequence(chunks);
  }

  override dataReceived(data: Buffer): void {
    this.factory.registerRead(data.length);
    super.dataReceived(data);
  }

  override registerProducer(producer: IProducer, streaming: boolean): void {
    if (producer === null || typeof producer !== 'object' || typeof producer.resumeProducing !== 'function') {
      throw new InvalidArgTypeError(`producer must have resumeProducing() and stopProducing(), received ${describe(producer)}`);
    }
    // The transport sees a gate: its pause/resume requests combine with the throttle's.
    const gate: IPushProducer = {
      pauseProducing: () => {
        if (this.#producer !== producer || this.#producerPausedByTransport) return;
        this.#producerPausedByTransport = true;
        if (!this.#writeThrottled) (producer as IPushProducer).pauseProducing();
      },
      resumeProducing: () => {
        if (this.#producer !== producer) return;
        if (!this.#streaming) {
          if (this.#writeThrottled) this.#pullWanted = true;
          else producer.resumeProducing();
          return;
        }
        if (!this.#producerPausedByTransport) return;
        this.#producerPausedByTransport = false;
        if (!this.#writeThrottled) producer.resumeProducing();
      },
      stopProducing: () => producer.stopProducing(),
    };
    super.registerProducer(gate, streaming);
    this.#producer = producer;
    this.#streaming = Boolean(streaming);
    this.#producerPausedByTransport = false;
    this.#pullWanted = false;
    if (this.#writeThrottled && this.#streaming) (producer as IPushProducer).pauseProducing();
  }

  override unregisterProducer(): void {
    this.#producer = undefined;
    this.#pullWanted = false;
    super.unregisterProducer();
  }

  /** The wrapped protocol pauses reads: kept paused until it resumes, whatever the throttle does. */
  override pauseProducing(): void {
    this.#readPausedByProtocol = true;
    super.pauseProducing();
  }

  override resumeProducing(): void {
    this.#readPausedByProtocol = false;
    if (!this.#readThrottled) super.resumeProducing();
  }

  /** Pauses the transport's reads. */
  throttleReads(): void {
    this.#readThrottled = true;
    super.pauseProducing();
  }

  /** Resumes the transport's reads, unless the wrapped protocol paused them itself. */
  unthrottleReads(): void {
    if (!this.#readThrottled) return;
    this.#readThrottled = false;
    if (!this.#readPausedByProtocol) super.resumeProducing();
  }

  /** Pauses the registered producer, if there is one (writes are throttled only through it). */
  throttleWrites(): void {
    if (this.#writeThrottled) return;
    this.#writeThrottled = true;
    const producer = this.#producer;
    if (producer !== undefined && this.#streaming && !this.#producerPausedByTransport) (producer as IPushProducer).pauseProducing();
  }

  /** Resumes the registered producer, unless the transport paused it. */
  unthrottleWrites(): void {
    if (!this.#writeThrottled) return;
    this.#writeThrottled = false;
    const producer = this.#producer;
    if (producer === undefined) return;
    if (this.#streaming) {
      if (!this.#producerPausedByTransport) producer.resumeProducing();
    } else if (this.#pullWanted) {
      this.#pullWanted = false;
      producer.resumeProducing();
    }
  }
}

/** Options of {@link ThrottlingFactory}. */
export interface ThrottlingFactoryOptions {
  /** Connections accepted at once; more are refused (default: no limit). */
  maxConnectionCount?: number;
  /** Bytes per second to read over all connections (default: no limit). */
  readLimit?: number | null;
  /** Bytes per second to write over all connections, enforced through registered producers (default: no limit). */
  writeLimit?: number | null;
  /** The clock to measure on: the Reactor the factory listens on, or a task.Clock. Required with a limit. */
  clock?: IReactorTime;
}

function checkLimit(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw new InvalidArgTypeError(`${what} must be a number of bytes per second, received ${describe(value)}`);
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgValueError(`${what} must be a finite number > 0, received ${value}`);
  return value;
}

/**
 * Throttles bandwidth and the number of connections: Twisted's `policies.ThrottlingFactory`.
 *
 * Bytes read and written by all its connections are counted per one-second window. At the end
 * of a window over `readLimit`, every connection's reads are paused for
 * `read / readLimit - 1` seconds, so that the average comes back to the limit (the same for
 * writes with `writeLimit`, through each connection's registered producer: as in Twisted,
 * writes without a producer are counted but cannot be held back). The windows run while at
 * least one connection is open. A connection beyond `maxConnectionCount` is refused (its
 * buildProtocol returns null). A connection made while reads are throttled starts paused.
 */
export class ThrottlingFactory extends WrappingFactory<ThrottlingProtocol> {
  /** Open connections. */
  connectionCount = 0;
  readonly maxConnectionCount: number;
  readonly readLimit: number | null;
  readonly writeLimit: number | null;
  /** Bytes read in the current window. */
  readThisSecond = 0;
  /** Bytes written in the current window. */
  writtenThisSecond = 0;
  readonly clock: IReactorTime | undefined;
  #checkReadCall: IDelayedCall | null = null;
  #unthrottleReadsCall: IDelayedCall | null = null;
  #checkWriteCall: IDelayedCall | null = null;
  #unthrottleWritesCall: IDelayedCall | null = null;

  constructor(wrappedFactory: Factory, options: ThrottlingFactoryOptions = {}) {
    super(wrappedFactory);
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`ThrottlingFactory options must be an object, received ${describe(options)}`);
    }
    const max = options.maxConnectionCount ?? Infinity;
    if (typeof max !== 'number' || !(max === Infinity || (Number.isInteger(max) && max >= 0))) {
      throw new InvalidArgValueError(`options.maxConnectionCount must be an integer >= 0 (or Infinity), received ${describe(max)}`);
    }
    this.maxConnectionCount = max;
    this.readLimit = checkLimit(options.readLimit, 'options.readLimit');
    this.writeLimit = checkLimit(options.writeLimit, 'options.writeLimit');
    if (options.clock !== undefined) this.clock = checkClock(options.clock, 'options.clock');
    else if (this.readLimit !== null || this.writeLimit !== null) {
      throw new InvalidArgTypeError(
        'ThrottlingFactory with a readLimit or writeLimit needs options.clock (the Reactor it listens on, or a task.Clock)',
        NO_CLOCK,
      );
    }
  }

  /** True while reads are throttled. */
  get readsThrottled(): boolean {
    return this.#unthrottleReadsCall !== null;
  }

  /** True while writes are throttled. */
  get writesThrottled(): boolean {
    return this.#unthrottleWritesCall !== null;
  }

  /** Schedules on the factory's clock (override in tests, as in Twisted). */
  callLater(period: number, func: () => void): IDelayedCall {
    return this.clock!.callLater(period, func);
  }

  /** Called by a connection that wrote `length` bytes. */
  registerWritten(length: number): void {
    this.writtenThisSecond += length;
  }

  /** Called by a connection that read `length` bytes. */
  registerRead(length: number): void {
    this.readThisSecond += length;
  }

  /** Ends a read window: throttles reads if it went over the limit, and starts the next. */
  checkReadBandwidth(): void {
    const limit = this.readLimit!;
    if (this.readThisSecond > limit) {
      this.throttleReads();
      const throttleTime = this.readThisSecond / limit - 1;
      this.#unthrottleReadsCall?.cancel();
      this.#unthrottleReadsCall = this.callLater(throttleTime, () => this.unthrottleReads());
    }
    this.readThisSecond = 0;
    this.#checkReadCall = this.callLater(1, () => this.checkReadBandwidth());
  }

  /** Ends a write window: throttles writes if it went over the limit, and starts the next. */
  checkWriteBandwidth(): void {
    const limit = this.writeLimit!;
    if (this.writtenThisSecond > limit) {
      this.throttleWrites();
      const throttleTime = this.writtenThisSecond / limit - 1;
      this.#unthrottleWritesCall?.cancel();
      this.#unthrottleWritesCall = this.callLater(throttleTime, () => this.unthrottleWrites());
    }
    this.writtenThisSecond = 0;
    this.#checkWriteCall = this.callLater(1, () => this.checkWriteBandwidth());
  }

  /** Pauses reads on every connection. */
  throttleReads(): void {
    for (const p of this.protocols) p.throttleReads();
  }

  /** Resumes reads on every connection. */
  unthrottleReads(): void {
    this.#unthrottleReadsCall = null;
    for (const p of this.protocols) p.unthrottleReads();
  }

  /** Pauses writes (the producers) on every connection. */
  throttleWrites(): void {
    for (const p of this.protocols) p.throttleWrites();
  }

  /** Resumes writes on every connection. */
  unthrottleWrites(): void {
    this.#unthrottleWritesCall = null;
    for (const p of this.protocols) p.unthrottleWrites();
  }

  /** Builds a connection's protocol, or null beyond maxConnectionCount; the first starts the windows. */
  override buildProtocol(addr: Address): ThrottlingProtocol | null {
    if (this.connectionCount >= this.maxConnectionCount) return null;
    const p = super.buildProtocol(addr);
    if (p === null) return null;
    if (this.connectionCount === 0) {
      if (this.readLimit !== null && this.#checkReadCall === null) this.checkReadBandwidth();
      if (this.writeLimit !== null && this.#checkWriteCall === null) this.checkWriteBandwidth();
    }
    this.connectionCount++;
    return p;
  }

  override wrapProtocol(protocol: Protocol, _addr: Address): ThrottlingProtocol {
    return new ThrottlingProtocol(this, protocol);
  }

  override registerProtocol(p: ThrottlingProtocol): void {
    super.registerProtocol(p);
    if (this.#unthrottleReadsCall !== null) p.throttleReads();
    if (this.#unthrottleWritesCall !== null) p.throttleWrites();
  }

  /** A connection is gone; with the last one, the windows stop. */
  override unregisterProtocol(p: ThrottlingProtocol): void {
    super.unregisterProtocol(p);
    this.connectionCount--;
    if (this.connectionCount === 0) this.#stopWindows();
  }

  #stopWindows(): void {
    for (const call of [this.#checkReadCall, this.#unthrottleReadsCall, this.#checkWriteCall, this.#unthrottleWritesCall]) {
      if (call !== null && call.active()) call.cancel();
    }
    this.#checkReadCall = this.#unthrottleReadsCall = this.#checkWriteCall = this.#unthrottleWritesCall = null;
  }
}
