// DeferredLock, DeferredSemaphore and DeferredQueue, after twisted/test/test_defer.py
// OtherPrimitivesTests.
import { describe, expect, it } from 'vitest';
import { CancelledError, NotAcquiredError, QueueOverflow, QueueUnderflow } from '../../src/defer/errors';
import { InvalidArgTypeError, InvalidArgValueError } from '../../src/errors';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { DeferredLock } from '../../src/defer/lock';
import { DeferredQueue } from '../../src/defer/queue';
import { DeferredSemaphore } from '../../src/defer/semaphore';
import { failureResultOf, successResultOf, thrownBy } from './helpers';

describe('DeferredLock', () => {
  it('serializes acquirers in order (OtherPrimitivesTests.testLock, acquire/release)', () => {
    let counter = 0;
    const incr = (): void => {
      counter++;
    };
    const lock = new DeferredLock();
    lock.acquire().addCallback(incr);
    expect(lock.locked).toBe(true);
    expect(counter).toBe(1);
    lock.acquire().addCallback(incr);
    expect(lock.locked).toBe(true);
    expect(counter).toBe(1);
    lock.release();
    expect(lock.locked).toBe(true);
    expect(counter).toBe(2);
    lock.release();
    expect(lock.locked).toBe(false);
    expect(counter).toBe(2);
  });

  it('run holds the lock until the returned Deferred fires (OtherPrimitivesTests.testLock, run)', () => {
    const lock = new DeferredLock();
    let counter = 0;
    const first = {};
    const second = {};
    const control = new Deferred<object>();
    let result: unknown;
    const helper = (value: unknown, ret?: unknown): unknown => {
      result = value;
      return ret;
    };
    const resultDeferred = lock.run(helper, first, control);
    expect(lock.locked).toBe(true);
    expect(result).toBe(first);
    resultDeferred.addCallback((v) => helper(v));
    lock.acquire().addCallback(() => {
      counter++;
    });
    expect(counter).toBe(0);
    control.callback(second);
    expect(result).toBe(second);
    expect(lock.locked).toBe(true);
    expect(counter).toBe(1);
    const d = lock.acquire().addBoth((r) => helper(r));
    d.cancel();
    expect(result).toBeInstanceOf(Failure);
    expect((result as Failure).type).toBe(CancelledError);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it('run without a function throws (OtherPrimitivesTests.testLock, run())', () => {
    const lock = new DeferredLock();
    expect(thrownBy(() => (lock.run as unknown as () => void)())).toBeInstanceOf(InvalidArgTypeError);
  });

  it('run releases after a synchronous exception and passes it on', () => {
    const lock = new DeferredLock();
    const d = lock.run(() => {
      throw new RangeError('inside');
    });
    expect(lock.locked).toBe(false);
    expect(failureResultOf(d, RangeError).getErrorMessage()).toBe('inside');
  });

  it('run follows async functions', async () => {
    const lock = new DeferredLock();
    const d = lock.run(async () => 5);
    expect(lock.locked).toBe(true);
    expect(await d).toBe(5);
    expect(lock.locked).toBe(false);
  });

  it('cancelling an acquired Deferred has no effect (OtherPrimitivesTests.test_cancelLockAfterAcquired)', () => {
    const lock = new DeferredLock();
    const d = lock.acquire();
    const errors: Failure[] = [];
    d.addErrback((f) => {
      errors.push(f);
    });
    d.cancel();
    expect(errors).toEqual([]);
    expect(lock.locked).toBe(true);
  });

  it('cancelling a waiting acquire fails it and leaves the queue (OtherPrimitivesTests.test_cancelLockBeforeAcquired)', () => {
    const lock = new DeferredLock();
    lock.acquire();
    const d = lock.acquire();
    d.cancel();
    failureResultOf(d, CancelledError);
    expect(lock.waiting).toHaveLength(0);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it('release of an unlocked lock throws NotAcquiredError', () => {
    const e = thrownBy(() => new DeferredLock().release());
    expect(e).toBeInstanceOf(NotAcquiredError);
    expect((e as NotAcquiredError).code).toBe('ERR_IOREACTOR_NOT_ACQUIRED');
  });
});

describe('DeferredSemaphore', () => {
  it('admits `limit` holders and queues the rest (OtherPrimitivesTests.testSemaphore)', () => {
    const N = 13;
    let counter = 0;
    const incr = (): void => {
      counter++;
    };
    const sem = new DeferredSemaphore(N);
    const control = new Deferred<null>();
    let helperArg: unknown;
    const results: unknown[] = [];
    const unique = {};
    const resultDeferred = sem.run((arg: unknown) => {
      helperArg = arg;
      return control;
    }, unique);
    resultDeferred.addCallback((r) => results.push(r)).addCallback(incr);
    expect(results).toEqual([]);
    expect(helperArg).toBe(unique);
    control.callback(null);
    expect(results.pop()).toBeNull();
    expect(counter).toBe(1);
    counter = 0;
    for (let i = 1; i <= N; i++) {
      sem.acquire().addCallback(incr);
      expect(counter).toBe(i);
    }
    const success: boolean[] = [];
    const d = sem.acquire().addCallbacks(
      () => success.push(false),
      () => success.push(true),
    );
    d.cancel();
    expect(success).toEqual([true]);
    sem.acquire().addCallback(incr);
    expect(counter).toBe(N);
    sem.release();
    expect(counter).toBe(N + 1);
    for (let i = 1; i <= N; i++) {
      sem.release();
      expect(counter).toBe(N + 1);
    }
    expect(sem.tokens).toBe(N);
  });

  it('rejects tokens < 1 (OtherPrimitivesTests.test_semaphoreInvalidTokens)', () => {
    expect(thrownBy(() => new DeferredSemaphore(0))).toBeInstanceOf(InvalidArgValueError);
    expect(thrownBy(() => new DeferredSemaphore(-1))).toBeInstanceOf(InvalidArgValueError);
    expect(thrownBy(() => new DeferredSemaphore(1.5))).toBeInstanceOf(InvalidArgValueError);
    expect(thrownBy(() => new DeferredSemaphore('2' as unknown as number))).toBeInstanceOf(InvalidArgTypeError);
  });

  it('cancelling an acquired Deferred has no effect (OtherPrimitivesTests.test_cancelSemaphoreAfterAcquired)', () => {
    const sem = new DeferredSemaphore(1);
    const d = sem.acquire();
    const errors: Failure[] = [];
    d.addErrback((f) => {
      errors.push(f);
    });
    d.cancel();
    expect(errors).toEqual([]);
  });

  it('cancelling a waiting acquire fails it (OtherPrimitivesTests.test_cancelSemaphoreBeforeAcquired)', () => {
    const sem = new DeferredSemaphore(1);
    sem.acquire();
    const d = sem.acquire();
    d.cancel();
    failureResultOf(d, CancelledError);
  });

  it('releasing more than acquired throws NotAcquiredError', () => {
    const sem = new DeferredSemaphore(2);
    sem.acquire();
    sem.release();
    expect(thrownBy(() => sem.release())).toBeInstanceOf(NotAcquiredError);
    expect(sem.tokens).toBe(2);
    expect(sem.limit).toBe(2);
  });
});

describe('DeferredQueue', () => {
  it('matches puts with gets, enforcing size and backlog (OtherPrimitivesTests.testQueue)', () => {
    const N = 2;
    const M = 2;
    const queue = new DeferredQueue<number>(N, M);
    let gotten: number[] = [];
    for (let i = 0; i < M; i++) queue.get().addCallback((v) => gotten.push(v));
    expect(thrownBy(() => queue.get())).toBeInstanceOf(QueueUnderflow);
    for (let i = 0; i < M; i++) {
      queue.put(i);
      expect(gotten).toEqual(Array.from({ length: i + 1 }, (_, k) => k));
    }
    for (let i = 0; i < N; i++) {
      queue.put(N + i);
      expect(gotten).toEqual([0, 1]);
    }
    expect(thrownBy(() => queue.put(99))).toBeInstanceOf(QueueOverflow);
    gotten = [];
    for (let i = 0; i < N; i++) {
      queue.get().addCallback((v) => gotten.push(v));
      expect(gotten).toEqual(Array.from({ length: i + 1 }, (_, k) => N + k));
    }
  });

  it('unbounded queue serves waiting gets in order (OtherPrimitivesTests.testQueue, unbounded)', () => {
    const queue = new DeferredQueue<number>();
    const gotten: number[] = [];
    for (let i = 0; i < 2; i++) queue.get().addCallback((v) => gotten.push(v));
    for (let i = 0; i < 2; i++) queue.put(i);
    expect(gotten).toEqual([0, 1]);
  });

  it('size 0 overflows at once; backlog 0 underflows at once (OtherPrimitivesTests.testQueue, zero limits)', () => {
    expect(thrownBy(() => new DeferredQueue<null>(0).put(null))).toBeInstanceOf(QueueOverflow);
    expect(thrownBy(() => new DeferredQueue<null>(null, 0).get())).toBeInstanceOf(QueueUnderflow);
    expect(new QueueOverflow().code).toBe('ERR_IOREACTOR_QUEUE_OVERFLOW');
    expect(new QueueUnderflow().code).toBe('ERR_IOREACTOR_QUEUE_UNDERFLOW');
  });

  it('cancelling a get that already has a result does nothing (OtherPrimitivesTests.test_cancelQueueAfterSynchronousGet)', () => {
    const queue = new DeferredQueue<null>();
    const d = queue.get();
    const errors: Failure[] = [];
    d.addErrback((f) => {
      errors.push(f);
    });
    queue.put(null);
    d.cancel();
    expect(errors).toEqual([]);
  });

  it('a cancelled get fails and a later put does not reach it (OtherPrimitivesTests.test_cancelQueueAfterGet)', () => {
    const queue = new DeferredQueue<null>();
    const d = queue.get();
    d.cancel();
    failureResultOf(d, CancelledError);
    const done: unknown[] = [];
    d.addCallback(() => {
      queue.put(null);
      return queue.get().addCallback((v) => expect(v).toBeNull());
    });
    d.addCallback((r) => done.push(r));
    expect(done).toHaveLength(1);
    expect(queue.pending).toEqual([]);
  });

  it('a pending object is returned by an already-fired Deferred', () => {
    const queue = new DeferredQueue<string>();
    queue.put('x');
    expect(queue.pending).toEqual(['x']);
    const d = queue.get();
    expect(d.called).toBe(true);
    expect(successResultOf(d)).toBe('x');
  });

  it('rejects bad limits', () => {
    expect(thrownBy(() => new DeferredQueue(-1))).toBeInstanceOf(InvalidArgValueError);
    expect(thrownBy(() => new DeferredQueue(null, 1.5))).toBeInstanceOf(InvalidArgValueError);
    expect(thrownBy(() => new DeferredQueue('3' as unknown as number))).toBeInstanceOf(InvalidArgTypeError);
  });
});
