import { performance } from 'node:perf_hooks';
import type { IReactorTime } from '../interfaces/time';
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';
import { InvalidArgTypeError } from '../errors';
import { NotPaused, SchedulerError, SchedulerStopped, TaskDone, TaskFailed, TaskStopped } from './errors';
import { assertFunction, describe } from '../util/validate';
import { assertReactorTime } from './reactor-time';

/** What a scheduler returns: something that can be cancelled before it runs. */
export interface CancellableCall {
  cancel(): void;
}

/** Arranges for `f` to be called once, soon; the Cooperator calls one of these per tick. */
export type CooperatorScheduler = (f: () => void) => CancellableCall;

/**
 * Called at the start of every tick; returns a predicate that the Cooperator asks after each
 * unit of work, ending the tick when it returns true.
 */
export type TerminationPredicateFactory = () => () => boolean;

/** Options of {@link Cooperator}. */
export interface CooperatorOptions {
  /** Clock whose `callLater` schedules the ticks (the default scheduler's source of time). */
  clock?: IReactorTime;
  /** Schedules each tick; overrides `clock`. Default: `clock.callLater(1e-8, f)`, or Node's `setImmediate` without a clock. */
  scheduler?: CooperatorScheduler;
  /** Decides how much work a tick does. Default: about 10 ms of work per tick. */
  terminationPredicateFactory?: TerminationPredicateFactory;
  /** Whether to run tasks as soon as they are added (default) or only after `start()`. */
  started?: boolean;
}

/** Length of one time slice of the default termination predicate, in milliseconds. */
const MAX_SLICE_MS = 10;
/** Twisted's scheduling offset: "as soon as possible, but on a later turn". */
const EPSILON = 0.00000001;

/** The default termination predicate: each tick works for about {@link MAX_SLICE_MS}. */
function timeSlice(): () => boolean {
  const end = performance.now() + MAX_SLICE_MS;
  return () => performance.now() >= end;
}

function immediateScheduler(f: () => void): CancellableCall {
  const handle = setImmediate(f);
  return { cancel: () => clearImmediate(handle) };
}

/** Items an iterator may yield; a Deferred (or a promise) makes its task wait for it. */
type Completion<T> = Iterator<T> | Failure;

/**
 * One iterator running inside a {@link Cooperator}: Twisted's `task.CooperativeTask`. It can
 * be paused, resumed and stopped, and its end observed with {@link CooperativeTask.whenDone}.
 * Create one with {@link Cooperator.cooperate} or the module's {@link cooperate}.
 */
export class CooperativeTask<T = unknown> {
  private readonly iterator: Iterator<T>;
  private readonly cooperator: Cooperator;
  private deferreds: Deferred<Iterator<T>>[] = [];
  private pauseCount = 0;
  private completionState: SchedulerError | null = null;
  private completionResult: Completion<T> | null = null;

  /** @internal Use {@link Cooperator.cooperate}. */
  constructor(iterator: Iterator<T>, cooperator: Cooperator) {
    this.iterator = iterator;
    this.cooperator = cooperator;
    cooperator._addTask(this as CooperativeTask<unknown>);
  }

  /**
   * A new Deferred that fires with the iterator when it is exhausted, or fails: with the
   * iterator's own error (or that of a Deferred it yielded), with `TaskStopped` after `stop()`,
   * with `SchedulerStopped` after the Cooperator's `stop()`. Each call returns a separate
   * Deferred, so callbacks on one do not change what the others see.
   */
  whenDone(): Deferred<Iterator<T>> {
    const d = new Deferred<Iterator<T>>();
    if (this.completionState === null) this.deferreds.push(d);
    else fire(d, this.completionResult as Completion<T>);
    return d;
  }

  /**
   * Stops doing work until a matching `resume()`. Pauses nest: two pauses need two resumes.
   *
   * @throws TaskDone / TaskStopped / TaskFailed if the task has finished.
   */
  pause(): void {
    this.checkFinish();
    this.pauseCount++;
    if (this.pauseCount === 1) this.cooperator._removeTask(this as CooperativeTask<unknown>);
  }

  /**
   * Undoes one `pause()`. Work resumes on the Cooperator's next tick, not during this call.
   * Resuming a paused task that has since been stopped does nothing.
   *
   * @throws NotPaused if the task is not paused.
   */
  resume(): void {
    if (this.pauseCount === 0) throw new NotPaused();
    this.pauseCount--;
    if (this.pauseCount === 0 && this.completionState === null) this.cooperator._addTask(this as CooperativeTask<unknown>);
  }

  /**
   * Stops the task for good: its `whenDone()` Deferreds fail with `TaskStopped`.
   *
   * @throws TaskDone / TaskStopped / TaskFailed if the task has already finished.
   */
  stop(): void {
    this.checkFinish();
    this._completeWith(new TaskStopped(), new Failure(new TaskStopped()));
  }

  /** @internal Records how the task ended and fires the `whenDone()` Deferreds. */
  _completeWith(state: SchedulerError, result: Completion<T>): void {
    // Twisted would fire the Deferreds a second time here (and fail with AlreadyCalledError)
    // when a Deferred yielded by a task stopped meanwhile later fails; a finished task stays
    // finished instead.
    if (this.completionState !== null) return;
    this.completionState = state;
    this.completionResult = result;
    if (this.pauseCount === 0) this.cooperator._removeTask(this as CooperativeTask<unknown>);
    // Fire only once the task is out of the Cooperator: a callback may stop the Cooperator or
    // add tasks to it, and must find this task already gone.
    const deferreds = this.deferreds;
    this.deferreds = [];
    for (const d of deferreds) fire(d, result);
  }

  /** @internal One unit of work: one step of the iterator. */
  _oneWorkUnit(): void {
    if (this.completionState !== null) return;
    let step: IteratorResult<T>;
    try {
      step = this.iterator.next();
    } catch (e) {
      this._completeWith(new TaskFailed(), new Failure(e));
      return;
    }
    if (step.done) {
      this._completeWith(new TaskDone(), this.iterator);
      return;
    }
    const waitOn = asDeferred(step.value);
    if (waitOn !== null) {
      this.pause();
      // Both handlers return undefined: the yielded Deferred's result is consumed here.
      waitOn.addCallbacks(
        () => {
          this.resume();
        },
        (failure: Failure) => {
          this._completeWith(new TaskFailed(), failure);
        },
      );
    }
  }

  private checkFinish(): void {
    if (this.completionState !== null) throw this.completionState;
  }
}

/** Fires `d` with an iterator (success) or a Failure. */
function fire<T>(d: Deferred<Iterator<T>>, result: Completion<T>): void {
  if (result instanceof Failure) d.errback(result);
  else d.callback(result);
}

/** A yielded Deferred, or a Deferred for a yielded promise; null for any other value. */
function asDeferred(value: unknown): Deferred<unknown> | null {
  if (value instanceof Deferred) return value as Deferred<unknown>;
  if (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function') {
    return Deferred.fromPromise(value as PromiseLike<unknown>);
  }
  return null;
}

/** Accepts an iterator, or an iterable (an array, a Set...) whose iterator is used. */
function toIterator<T>(value: Iterator<T> | Iterable<T>): Iterator<T> {
  if (value !== null && typeof value === 'object') {
    if (typeof (value as Iterator<T>).next === 'function') return value as Iterator<T>;
    if (typeof (value as Iterable<T>)[Symbol.iterator] === 'function') return (value as Iterable<T>)[Symbol.iterator]();
  }
  throw new InvalidArgTypeError(`iterator must be an iterator or an iterable, received ${describe(value)}`);
}

/**
 * A cooperative task scheduler: Twisted's `task.Cooperator`. Each task is an iterator; every
 * step (`next()`) is one unit of work. On each tick the Cooperator runs steps of its tasks in
 * turn until the termination predicate says the tick is over (by default after about 10 ms),
 * then schedules the next tick, so long computations share the event loop with I/O. A task
 * that yields a Deferred (or a promise) sits out until it fires; if it fails, the task fails.
 *
 * @example
 * ```ts
 * const coop = new Cooperator({ clock: reactor });
 * function* work() { for (const item of items) { process(item); yield; } }
 * coop.coiterate(work()).addCallback(() => console.log('all done'));
 * ```
 */
export class Cooperator {
  private tasks: CooperativeTask<unknown>[] = [];
  /** Where the round-robin over `tasks` stopped at the end of the last tick. */
  private metarator: Iterator<CooperativeTask<unknown>> = [][Symbol.iterator]();
  private readonly terminationPredicateFactory: TerminationPredicateFactory;
  private readonly scheduler: CooperatorScheduler;
  private delayedCall: CancellableCall | null = null;
  private stopped = false;
  private started: boolean;
  private mustScheduleOnStart = false;

  /**
   * @throws InvalidArgTypeError for an option of the wrong type (a clock that is not an
   *   IReactorTime, a scheduler or factory that is not a function, `started` not a boolean).
   */
  constructor(options: CooperatorOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
    }
    const { clock, scheduler, terminationPredicateFactory, started = true } = options;
    if (clock !== undefined) assertReactorTime(clock, 'options.clock');
    if (scheduler !== undefined) assertFunction(scheduler, 'options.scheduler');
    if (terminationPredicateFactory !== undefined) assertFunction(terminationPredicateFactory, 'options.terminationPredicateFactory');
    if (typeof started !== 'boolean') {
      throw new InvalidArgTypeError(`options.started must be a boolean, received ${describe(started)}`);
    }
    this.scheduler = scheduler ?? (clock !== undefined ? (f) => clock.callLater(EPSILON, f) : immediateScheduler);
    this.terminationPredicateFactory = terminationPredicateFactory ?? timeSlice;
    this.started = started;
  }

  /**
   * Runs `iterator` as a task, like {@link Cooperator.cooperate}, and returns a Deferred that
   * fires with the iterator when it is exhausted (see {@link CooperativeTask.whenDone}). Pass
   * `doneDeferred` to have that Deferred fired instead of a new one.
   *
   * @throws InvalidArgTypeError if `iterator` is neither an iterator nor an iterable.
   */
  coiterate<T>(iterator: Iterator<T> | Iterable<T>, doneDeferred?: Deferred<Iterator<T>>): Deferred<Iterator<T>> {
    if (doneDeferred !== undefined && !(doneDeferred instanceof Deferred)) {
      throw new InvalidArgTypeError(`doneDeferred must be a Deferred, received ${describe(doneDeferred)}`);
    }
    const it = toIterator(iterator);
    const done = doneDeferred ?? new Deferred<Iterator<T>>();
    new CooperativeTask(it, this).whenDone().chainDeferred(done);
    return done;
  }

  /**
   * Adds `iterator` as a long-running task, stepped on this Cooperator's ticks, and returns
   * the {@link CooperativeTask} controlling it. An iterable's iterator is used.
   *
   * @throws InvalidArgTypeError if `iterator` is neither an iterator nor an iterable.
   */
  cooperate<T>(iterator: Iterator<T> | Iterable<T>): CooperativeTask<T> {
    return new CooperativeTask(toIterator(iterator), this);
  }

  /** Begins scheduling ticks (for a Cooperator created with `started: false`, or restarted after `stop()`). */
  start(): void {
    this.stopped = false;
    this.started = true;
    if (this.mustScheduleOnStart) {
      this.mustScheduleOnStart = false;
      this.reschedule();
    }
  }

  /**
   * Stops the Cooperator: every task's `whenDone()` Deferreds fail with `SchedulerStopped`,
   * the pending tick is cancelled, and tasks added later fail at once the same way (until
   * `start()`).
   */
  stop(): void {
    this.stopped = true;
    // Detach the list first. Twisted iterates the live list while each completion removes its
    // task from it, which skips every other task: those are never completed and their
    // whenDone() Deferreds never fire. Here every task fails with SchedulerStopped.
    const tasks = this.tasks;
    this.tasks = [];
    this.metarator = [][Symbol.iterator]();
    for (const task of tasks) task._completeWith(new SchedulerStopped(), new Failure(new SchedulerStopped()));
    if (this.delayedCall !== null) {
      this.delayedCall.cancel();
      this.delayedCall = null;
    }
  }

  /** True when started and not stopped. */
  get running(): boolean {
    return this.started && !this.stopped;
  }

  /** @internal */
  _addTask(task: CooperativeTask<unknown>): void {
    this.tasks.push(task);
    if (this.stopped) {
      // Added so that _completeWith finds it to remove.
      task._completeWith(new SchedulerStopped(), new Failure(new SchedulerStopped()));
    } else {
      this.reschedule();
    }
  }

  /** @internal */
  _removeTask(task: CooperativeTask<unknown>): void {
    const i = this.tasks.indexOf(task);
    if (i >= 0) this.tasks.splice(i, 1);
    // Nothing left to do: drop the pending tick, so an idle Cooperator holds no timer.
    if (this.tasks.length === 0 && this.delayedCall !== null) {
      this.delayedCall.cancel();
      this.delayedCall = null;
    }
  }

  /** Tasks in round-robin order until the termination predicate ends the tick. */
  private *tasksWhileNotStopped(): Generator<CooperativeTask<unknown>> {
    const terminator = this.terminationPredicateFactory();
    while (this.tasks.length > 0) {
      // An array iterator is live, as Python's list iterator is: tasks removed during the
      // round are skipped, tasks added are reached, and once exhausted it stays exhausted.
      for (let r = this.metarator.next(); !r.done; r = this.metarator.next()) {
        yield r.value;
        if (terminator()) return;
      }
      this.metarator = this.tasks[Symbol.iterator]();
    }
  }

  private readonly tick = (): void => {
    this.delayedCall = null;
    for (const task of this.tasksWhileNotStopped()) task._oneWorkUnit();
    this.reschedule();
  };

  private reschedule(): void {
    if (!this.started) {
      this.mustScheduleOnStart = true;
      return;
    }
    if (this.delayedCall === null && this.tasks.length > 0) this.delayedCall = this.scheduler(this.tick);
  }
}

let defaultCooperator: Cooperator | undefined;

/**
 * The Cooperator behind the module functions {@link coiterate} and {@link cooperate}. It is tied
 * to no reactor: its ticks run on Node's own event loop (`setImmediate`), which is also the
 * loop every Reactor runs in, so it works the same whichever reactors a program uses (and
 * with none). Its termination predicate is the default 10 ms slice.
 */
export function getDefaultCooperator(): Cooperator {
  return (defaultCooperator ??= new Cooperator());
}

/**
 * Runs `iterator` cooperatively on the default Cooperator, sharing time with every other task
 * given to it. Returns a Deferred that fires with the iterator when it is exhausted.
 */
export function coiterate<T>(iterator: Iterator<T> | Iterable<T>): Deferred<Iterator<T>> {
  return getDefaultCooperator().coiterate(iterator);
}

/**
 * Runs `iterator` as a long-running cooperative task on the default Cooperator and returns
 * the {@link CooperativeTask} that controls it.
 */
export function cooperate<T>(iterator: Iterator<T> | Iterable<T>): CooperativeTask<T> {
  return getDefaultCooperator().cooperate(iterator);
}
