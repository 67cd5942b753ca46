import type { Failure } from '../defer/failure';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { describe } from '../util/validate';
import type { IDelayedCall, IReactorTime } from '../interfaces/time';
import type { IConnector } from '../interfaces/transport';
import type { Address } from '../transport/address';
import { ClientFactory } from './client-factory';
import type { Protocol } from './protocol';

/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/** Settings for {@link ReconnectingClientFactory}; each overrides the property of the same name. */
export interface ReconnectingClientFactoryOptions {
  maxDelay?: number;
  initialDelay?: number;
  factor?: number;
  jitter?: number;
  maxRetries?: number;
  clock?: IReactorTime;
  random?: RandomSource;
}

/**
 * A normal (Gaussian) variate with mean `mu` and standard deviation `sigma`, by the Box–Muller
 * transform; it draws two numbers from `random` per call.
 *
 * @throws InvalidArgValueError if `random` returns anything outside [0, 1).
 */
export function normalVariate(mu: number, sigma: number, random: RandomSource = Math.random): number {
  // 1 - u keeps the logarithm's argument in (0, 1]: log(0) would give an infinite variate.
  const u1 = 1 - uniform(random);
  const u2 = uniform(random);
  return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function uniform(random: RandomSource): number {
  const u = random();
  if (typeof u !== 'number' || !(u >= 0 && u < 1)) {
    throw new InvalidArgValueError(`random() must return a number in [0, 1), returned ${describe(u)}`);
  }
  return u;
}

/** What the factory knows about the connector's current attempt (see stopTrying). */
type AttemptState = 'unknown' | 'connecting' | 'connected' | 'idle';

/**
 * A client factory that reconnects with an exponential back-off: Twisted's
 * `twisted.internet.protocol.ReconnectingClientFactory`.
 *
 * Each failed or lost connection schedules `connector.connect()` after `delay` seconds, where
 * `delay` is multiplied by `factor` per retry, capped at `maxDelay`, then jittered with a
 * Gaussian of relative standard deviation `jitter` (so that many clients of one server do not
 * reconnect in lock step). Call {@link resetDelay} once connected, typically from
 * `buildProtocol` or the protocol's `connectionMade`, so that the next loss starts again from
 * `initialDelay`:
 *
 * @example
 * ```ts
 * class EchoClientFactory extends ReconnectingClientFactory<Echo> {
 *   override buildProtocol(addr: Address): Echo {
 *     this.resetDelay();
 *     return super.buildProtocol(addr) as Echo;
 *   }
 * }
 * ```
 *
 * Settings may be given to the constructor or set as properties (as subclass fields, as in
 * Twisted); they are checked when used, and the constructor checks those it is given. A
 * subclass field wins over a constructor option of the same name (fields are assigned after
 * the base constructor has run).
 *
 * Without a `clock` the factory uses the connector's `reactor` property when it has one;
 * otherwise set `clock` (to the Reactor) before the first retry.
 */
export class ReconnectingClientFactory<P extends Protocol = Protocol> extends ClientFactory<P> {
  /** Maximum number of seconds between connection attempts (before jitter). */
  maxDelay = 3600;
  /** Delay for the first reconnection attempt, before the first `factor` is applied. */
  initialDelay = 1.0;
  /** The multiplicative factor by which the delay grows (e). */
  factor = 2.7182818284590451;
  /** Relative standard deviation of the Gaussian noise added to each delay; 0 turns it off. */
  jitter = 0.11962656472;
  /**
   * Maximum number of consecutive unsuccessful attempts after which no further attempt is
   * made; undefined means no maximum.
   */
  maxRetries: number | undefined = undefined;
  /** Number of retries scheduled since the last {@link resetDelay}. */
  retries = 0;
  /** False after {@link stopTrying}: lost or failed connections are not retried. */
  continueTrying = true;
  /** The connector being retried: set by a failure, a loss, or startedConnecting. */
  connector: IConnector | undefined = undefined;
  /**
   * The clock that schedules reconnections. When unset, the first retry uses the connector's
   * `reactor` (and keeps it here).
   */
  clock: IReactorTime | undefined = undefined;
  /** Uniform random source for the jitter; inject a seeded one for reproducible delays. */
  random: RandomSource = Math.random;

  private _delay: number | undefined = undefined;
  private _callID: IDelayedCall | undefined = undefined;
  private _attempt: AttemptState = 'unknown';

  /** @throws InvalidArgTypeError / InvalidArgValueError for an invalid setting. */
  constructor(options?: ReconnectingClientFactoryOptions) {
    super();
    if (options === undefined) return;
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
    }
    if (options.maxDelay !== undefined) this.maxDelay = options.maxDelay;
    if (options.initialDelay !== undefined) this.initialDelay = options.initialDelay;
    if (options.factor !== undefined) this.factor = options.factor;
    if (options.jitter !== undefined) this.jitter = options.jitter;
    if (options.maxRetries !== undefined) this.maxRetries = options.maxRetries;
    if (options.clock !== undefined) this.clock = options.clock;
    if (options.random !== undefined) this.random = options.random;
    // Checked now so that a bad setting fails where it is written, not at the first retry.
    this.checkSettings();
  }

  /**
   * Seconds until the next reconnection attempt; grows with each retry. Until the first retry
   * (and after {@link resetDelay}) it is `initialDelay`, read when needed so that a subclass
   * field overriding `initialDelay` takes effect (Twisted's class attribute does not).
   */
  get delay(): number {
    return this._delay ?? this.initialDelay;
  }
  set delay(value: number) {
    assertDelay(value, 'delay');
    this._delay = value;
  }

  /** Records the connector, so that stopTrying can stop an attempt in progress. */
  override startedConnecting(connector: IConnector): void {
    this.connector = connector;
    this._attempt = 'connecting';
  }

  /** Builds the protocol as ClientFactory does; the connection is now up. */
  override buildProtocol(addr: Address): P | null {
    this._attempt = 'connected';
    return super.buildProtocol(addr);
  }

  /** Retries (see {@link retry}) unless {@link stopTrying} was called. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    this._attempt = 'idle';
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Retries (see {@link retry}) unless {@link stopTrying} was called. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    this._attempt = 'idle';
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /**
   * Has `connector` (by default the last one seen) connect again after a suitable delay:
   * `delay = min(delay * factor, maxDelay)`, then drawn from a normal distribution with mean
   * `delay` and standard deviation `delay * jitter`. Does nothing after {@link stopTrying}
   * or once `maxRetries` consecutive retries have been made.
   *
   * @throws InvalidArgValueError (code `ERR_IOREACTOR_NO_CONNECTOR`) if there is no connector
   *   to retry; (code `ERR_IOREACTOR_NO_CLOCK`) if `clock` is unset and the connector exposes
   *   no `reactor`; InvalidArgTypeError / InvalidArgValueError for an invalid setting.
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) return;
    const target = connector ?? this.connector;
    if (target === undefined || target === null) {
      throw new InvalidArgValueError('no connector to retry', 'ERR_IOREACTOR_NO_CONNECTOR');
    }
    // Everything is checked before any state changes, so a bad setting leaves the factory as it was.
    this.checkSettings();
    const clock = this.clock ?? reactorOf(target);
    // A closed reactor schedules nothing more (its close is what ended this connection).
    if ((clock as Partial<{ closed: unknown }>).closed === true) return;

    // Drawn before the counter moves, since a bad random source throws here.
    let delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) {
      // A negative draw is possible only far out in the tail (or with a contrived random
      // source); a clock refuses negative delays, and "now" is what it would mean.
      delay = Math.max(0, normalVariate(delay, delay * this.jitter, this.random));
    }

    this.retries += 1;
    if (this.maxRetries !== undefined && this.retries > this.maxRetries) return;
    this._delay = delay;
    this.clock = clock;

    // Twisted would overwrite (and so lose) a call still pending; cancelling it keeps at most
    // one reconnection scheduled and stopTrying able to cancel it.
    this.cancelPending();
    this._callID = clock.callLater(delay, () => {
      this._callID = undefined;
      this._attempt = 'connecting';
      target.connect();
    });
  }

  /**
   * Puts a stop to reconnecting: cancels a scheduled reconnection, and stops the connector's
   * attempt if one is in progress (the connector then reports clientConnectionFailed, which
   * is not retried). {@link resetDelay} allows retrying again.
   */
  stopTrying(): void {
    this.cancelPending();
    this.continueTrying = false;
    const connector = this.connector;
    if (connector === undefined || this._attempt === 'idle' || this._attempt === 'connected') return;
    try {
      connector.stopConnecting();
    } catch (err) {
      // Twisted swallows NotConnectingError here: the attempt was over already.
      if (!isNotConnecting(err)) throw err;
    }
  }

  /**
   * Call after a successful connection: resets the delay to `initialDelay`, the retry counter
   * to 0, and allows retrying again.
   */
  resetDelay(): void {
    this._delay = undefined;
    this.retries = 0;
    this.continueTrying = true;
    // Twisted forgets a still-pending call here; keeping it lets stopTrying cancel it.
    if (this._callID !== undefined && !this._callID.active()) this._callID = undefined;
    // Called after a successful connection, so no attempt is in progress.
    if (this._attempt === 'connecting') this._attempt = 'connected';
  }

  private cancelPending(): void {
    const call = this._callID;
    this._callID = undefined;
    if (call !== undefined && call.active()) call.cancel();
  }

  private checkSettings(): void {
    assertDelay(this.maxDelay, 'maxDelay');
    assertDelay(this.initialDelay, 'initialDelay');
    assertDelay(this.delay, 'delay');
    assertNumber(this.factor, 'factor');
    if (!(this.factor >= 1) || !Number.isFinite(this.factor)) {
      // Below 1 the delays would shrink towards 0: a reconnection storm, not a back-off.
      throw new InvalidArgValueError(`factor must be a finite number >= 1, received ${this.factor}`);
    }
    assertDelay(this.jitter, 'jitter');
    const max = this.maxRetries;
    if (max !== undefined) {
      assertNumber(max, 'maxRetries');
      if (!Number.isInteger(max) || max < 0) {
        throw new InvalidArgValueError(`maxRetries must be an integer >= 0 or undefined, received ${max}`);
      }
    }
    if (typeof this.random !== 'function') {
      throw new InvalidArgTypeError(`random must be a function, received ${describe(this.random)}`);
    }
    if (this.clock !== undefined) assertClock(this.clock, 'clock');
  }
}

function assertNumber(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number') throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`);
}

function assertDelay(value: unknown, what: string): asserts value is number {
  assertNumber(value, what);
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgValueError(`${what} must be a finite number >= 0, received ${value}`);
  }
}

function assertClock(value: unknown, what: string): asserts value is IReactorTime {
  const c = value as Partial<IReactorTime> | null;
  if (c === null || typeof c !== 'object' || typeof c.callLater !== 'function') {
    throw new InvalidArgTypeError(`${what} must provide IReactorTime (callLater), received ${describe(value)}`);
  }
}

/** The clock a connector exposes: Twisted's connectors have a `reactor` attribute. */
function reactorOf(connector: IConnector): IReactorTime {
  const reactor = (connector as { reactor?: Partial<IReactorTime> }).reactor;
  if (reactor !== null && typeof reactor === 'object' && typeof reactor.callLater === 'function') {
    return reactor as IReactorTime;
  }
  throw new InvalidArgValueError(
    'ReconnectingClientFactory has no clock: set factory.clock, or use a connector that exposes its reactor',
    'ERR_IOREACTOR_NO_CLOCK',
  );
}

/** Twisted's NotConnectingError, recognised by name or code since no class exists here yet. */
function isNotConnecting(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null;
  return e !== null && typeof e === 'object' && (e.name === 'NotConnectingError' || e.code === 'ERR_IOREACTOR_NOT_CONNECTING');
}
