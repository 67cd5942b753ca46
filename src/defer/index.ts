// Deferreds, Failures and their helpers: the public names of src/defer, listed explicitly.
export { Deferred, type Settled } from './deferred';
export { Failure, type ErrorType, type ErrorTypeSpec } from './failure';
export { succeed, fail, execute, maybeDeferred } from './simple';
export { DeferredList, type DeferredListConstructor, type DeferredListEntry, type DeferredListOptions, type DeferredLike } from './deferred-list';
export { gatherResults, type GatherOptions } from './gather';
export { race } from './race';
export { ConcurrencyPrimitive } from './concurrency-primitive';
export { DeferredLock } from './lock';
export { DeferredSemaphore } from './semaphore';
export { DeferredQueue } from './queue';
export { inlineCallbacks, ensureDeferred, type InlineGenerator } from './inline-callbacks';
export { setDebugging, getDebugging } from './debug';
export {
  setDeferredLogger,
  getDeferredLogger,
  trackUnhandledDeferredErrors,
  forceGarbageCollection,
  type UnhandledErrorReport,
  type UnhandledErrorTracker,
} from './unhandled';
