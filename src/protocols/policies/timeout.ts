import type { Failure } from '../../defer/failure';
import { AlreadyCalled, AlreadyCancelled } from '../../task/errors';
import { InvalidArgTypeError } from '../../errors';
import { assertNonNegativeNumber, describe } from '../../util/validate';
import type { IDelayedCall, IReactorTime } from '../../interfaces/time';
import type { Bytes } from '../../interfaces/transport';
import type { Factory } from '../../protocol/factory';
import type { Protocol } from '../../protocol/protocol';
import type { Address } from '../../transport/address';
import { ProtocolWrapper, WrappingFactory } from './wrapper';

/** Code of the error raised when a timed policy has no clock to schedule on. */
export const NO_CLOCK = 'ERR_IOREACTOR_NO_CLOCK';

/** Checks that `value` is a clock (a Reactor or a task.Clock). @internal */
export function checkClock(value: unknown, what: string): IReactorTime {
  const c = value as Partial<IReactorTime> | null;
  if (c === null || typeof c !== 'object' || typeof c.callLater !== 'function' || typeof c.seconds !== 'function') {
    throw new InvalidArgTypeError(`${what} must be a clock (a Reactor or a task.Clock), received ${describe(value)}`, NO_CLOCK);
  }
  return c as IReactorTime;
}

/** A timeout period: null (none) or seconds >= 0. */
function checkPeriod(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  assertNonNegativeNumber(value, what);
  return value;
}

/** Cancels `call` unless it already ran or was cancelled (Twisted ignores both there too). */
function cancelQuietly(call: IDelayedCall): void {
  try {
    call.cancel();
  } catch (err) {
    if (!(err instanceof AlreadyCalled) && !(err instanceof AlreadyCancelled)) throw err;
  }
}

/** Any protocol class, abstract or not, whatever its constructor takes: what {@link TimeoutMixin} extends. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ProtocolClassLike = abstract new (...args: any[]) => Protocol;

/** What {@link TimeoutMixin} adds to a protocol class. */
export interface TimeoutProtocolMethods {
  /** The timeout period in seconds, or null when there is none (Twisted's `timeOut`). */
  timeOut: number | null;
  /** The clock timeouts are scheduled on; when unset, the factory's `clock` is used. */
  clock: IReactorTime | undefined;
  setTimeout(period: number | null): number | null;
  resetTimeout(): void;
  timeoutConnection(): void;
  callLater(period: number, func: () => void): IDelayedCall;
}

/**
 * Idle timeouts for a protocol: Twisted's `policies.TimeoutMixin`, as a mixin over a protocol
 * class. Call {@link TimeoutProtocolMethods.setTimeout} to start (or change, or with null stop)
 * the timeout and {@link TimeoutProtocolMethods.resetTimeout} on activity; when the period
 * passes without a reset, `timeoutConnection()` runs (default: `transport.loseConnection()`).
 *
 * The clock: `this.clock` if set, else the factory's `clock` property (a Reactor or a
 * task.Clock). Twisted uses its global reactor; ioreactor has several reactors per process and
 * no global install, so the clock is given, and a timeout set without one is an error (code
 * `ERR_IOREACTOR_NO_CLOCK`) rather than a timer on a reactor that never runs. Unlike Twisted,
 * the pending timeout is cancelled when the connection is lost.
 *
 * @example
 * ```ts
 * class Idle extends TimeoutMixin(LineReceiver) {
 *   override connectionMade() { this.clock = reactor; this.setTimeout(30); }
 *   override lineReceived(line: Buffer) { this.resetTimeout(); this.sendLine(line); }
 * }
 * ```
 */
export function TimeoutMixin<TBase extends ProtocolClassLike>(Base: TBase) {
  if (typeof Base !== 'function' || typeof (Base.prototype as { dataReceived?: unknown } | undefined)?.dataReceived !== 'function') {
    throw new InvalidArgTypeError(`TimeoutMixin needs a protocol class, received ${describe(Base)}`);
  }
  abstract class Timeout extends Base implements TimeoutProtocolMethods {
    timeOut: number | null = null;
    clock: IReactorTime | undefined = undefined;
    #timeoutCall: IDelayedCall | null = null;

    /** Schedules `func` on the clock (override in tests, as in Twisted). */
    callLater(period: number, func: () => void): IDelayedCall {
      const own = this.clock;
      const fromFactory = (this.factory as (Factory & { clock?: unknown }) | undefined)?.clock;
      if (own === undefined && fromFactory === undefined) {
        throw new InvalidArgTypeError(`${this.constructor.name} has no clock: set this.clock (or the factory's clock) to a Reactor or a task.Clock`, NO_CLOCK);
      }
      return checkClock(own ?? fromFactory, `${this.constructor.name}.clock`).callLater(period, func);
    }

    /** Restarts the countdown (nothing happens once it timed out or while no timeout is set). */
    resetTimeout(): void {
      if (this.#timeoutCall !== null && this.timeOut !== null) this.#timeoutCall.reset(this.timeOut);
    }

    /** Sets the period (seconds), or with null removes the timeout. Returns the previous period. */
    setTimeout(period: number | null): number | null {
      const next = checkPeriod(period, 'timeout period');
      const prev = this.timeOut;
      this.timeOut = next;
      if (this.#timeoutCall !== null) {
        if (next === null) {
          cancelQuietly(this.#timeoutCall);
          this.#timeoutCall = null;
        } else {
          this.#timeoutCall.reset(next);
        }
      } else if (next !== null) {
        this.#timeoutCall = this.callLater(next, () => {
          this.#timeoutCall = null;
          this.timeoutConnection();
        });
      }
      return prev;
    }

    /** The timeout passed. Default: close the connection. */
    timeoutConnection(): void {
      this.transport.loseConnection();
    }

    override connectionLost(reason: Failure): void {
      if (this.#timeoutCall !== null) {
        cancelQuietly(this.#timeoutCall);
        this.#timeoutCall = null;
      }
      super.connectionLost(reason);
    }
  }
  return Timeout;
}

/**
 * A wrapper that closes its connection after `timeoutPeriod` seconds without reads or writes:
 * Twisted's `policies.TimeoutProtocol`.
 */
export class TimeoutProtocol<P extends Protocol = Protocol> extends ProtocolWrapper<P> {
  declare factory: TimeoutFactory;
  /** The period of the running timeout (null when none runs). */
  timeoutPeriod: number | null = null;
  /** The pending timeout call, if any. */
  timeoutCall: IDelayedCall | null = null;

  constructor(factory: TimeoutFactory, wrappedProtocol: P, timeoutPeriod: number | null) {
    super(factory, wrappedProtocol);
    this.setTimeout(timeoutPeriod);
  }

  /** Cancels any running timeout and, with a period, starts a new one. */
  setTimeout(timeoutPeriod: number | null = null): void {
    const period = checkPeriod(timeoutPeriod, 'timeoutPeriod');
    this.cancelTimeout();
    this.timeoutPeriod = period;
    if (period !== null) this.timeoutCall = this.factory.callLater(period, () => this.timeoutFunc());
  }

  /** Cancels the timeout; does nothing if there is none. */
  cancelTimeout(): void {
    this.timeoutPeriod = null;
    if (this.timeoutCall !== null) {
      cancelQuietly(this.timeoutCall);
      this.timeoutCall = null;
    }
  }

  /** Restarts the countdown: some activity just happened. */
  resetTimeout(): void {
    if (this.timeoutCall !== null && this.timeoutCall.active() && this.timeoutPeriod !== null) this.timeoutCall.reset(this.timeoutPeriod);
  }

  override write(data: Bytes): void {
    this.resetTimeout();
    super.write(data);
  }

  override writeSequence(data: Iterable<Uint8Array>): void {
    this.resetTimeout();
    super.writeSequence(data);
  }

  override dataReceived(data: Buffer): void {
    this.resetTimeout();
    super.dataReceived(data);
  }

  override connectionLost(reason: Failure): void {
    this.cancelTimeout();
    super.connectionLost(reason);
  }

  /** The timeout passed. Default: close the connection. */
  timeoutFunc(): void {
    this.loseConnection();
  }
}

/** Options of {@link TimeoutFactory}. */
export interface TimeoutFactoryOptions {
  /** Seconds of inactivity before a connection is closed (default 30 minutes, as Twisted). */
  timeoutPeriod?: number;
  /** The clock to schedule on: the Reactor the factory listens on, or a task.Clock. */
  clock: IReactorTime;
}

/** Wraps a factory so that its connections time out when idle: Twisted's `policies.TimeoutFactory`. */
export class TimeoutFactory extends WrappingFactory<TimeoutProtocol> {
  readonly timeoutPeriod: number;
  readonly clock: IReactorTime;

  constructor(wrappedFactory: Factory, options: TimeoutFactoryOptions) {
    super(wrappedFactory);
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`TimeoutFactory options must be an object with a clock, received ${describe(options)}`, NO_CLOCK);
    }
    this.clock = checkClock(options.clock, 'options.clock');
    this.timeoutPeriod = checkPeriod(options.timeoutPeriod ?? 30 * 60, 'options.timeoutPeriod')!;
  }

  override wrapProtocol(protocol: Protocol, _addr: Address): TimeoutProtocol {
    return new TimeoutProtocol(this, protocol, this.timeoutPeriod);
  }

  /** Schedules on the factory's clock (override in tests, as in Twisted). */
  callLater(period: number, func: () => void): IDelayedCall {
    return this.clock.callLater(period, func);
  }
}
