/**
 * What a Deferred's callback chain is made of, and the state few Deferreds need.
 *
 * The chain is a singly linked list of {@link LinkNode}s, one per `add*` call: appending is one
 * small allocation (measured cheaper than growing an array, which copies, or than fixed-size
 * array segments), and links already run become garbage at once, even while the rest of the
 * chain waits.
 */
import type { DebugInfo } from './debug';
import type { Failure } from './failure';

/** @internal A callback or errback function as stored in the chain. */
export type LinkFn = (result: any, ...args: any[]) => unknown;

/**
 * @internal Marks the link that hands the result to the Deferred (in `cbArgs`) waiting on this
 * one. Never called; compared by identity.
 */
export function CONTINUE(): void {
  /* marker */
}

/**
 * @internal One link: a callback and an errback (either may be null: pass the result through),
 * each with the extra arguments to pass after the result (undefined: none).
 */
export class LinkNode {
  // `declare` plus assignments in the constructor: with class-field semantics, declared fields
  // would first be defined as undefined and then assigned, twice the work on the hot path.
  declare readonly cb: LinkFn | null;
  declare readonly cbArgs: unknown[] | undefined;
  declare readonly eb: LinkFn | null;
  declare readonly ebArgs: unknown[] | undefined;
  declare next: LinkNode | null;

  constructor(cb: LinkFn | null, cbArgs: unknown[] | undefined, eb: LinkFn | null, ebArgs: unknown[] | undefined) {
    this.cb = cb;
    this.cbArgs = cbArgs;
    this.eb = eb;
    this.ebArgs = ebArgs;
    this.next = null;
  }
}

/**
 * @internal State that most Deferreds never need, kept out of the Deferred itself so that the
 * common Deferred stays small and cheap to create.
 */
export class Rare {
  /** Creation / first-fire stacks (debug mode), also handed to unhandled-error reports. */
  debugInfo: DebugInfo | null = null;
  /** The Failure currently watched for an unhandled-error report. */
  watched: Failure | null = null;
  /** The Failure delivered to a `then`, which therefore counts as handled. */
  handled: Failure | null = null;
  /** Signal controller created by `toSignal`, aborted on cancellation. */
  abort: AbortController | null = null;
  /** Cancelled without a canceller: swallow the one late callback/errback. */
  suppressAlreadyCalled = false;
  /** Number shown by `toString` (assigned on first use). */
  id = 0;
}

/** @internal Copies the arguments after the first into an array. */
export function restOf(args: IArguments): unknown[] {
  const out = new Array<unknown>(args.length - 1);
  for (let i = 1; i < args.length; i++) out[i - 1] = args[i];
  return out;
}
