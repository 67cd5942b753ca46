// Cancellation and double firing, after twisted/test/test_defer.py DeferredCancellerTests and
// AlreadyCalledTests.
import { describe, expect, it } from 'vitest';
import { AlreadyCalledError, CancelledError } from '../../src/defer/errors';
import { IoReactorError } from '../../src/errors';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { failureResultOf, GenericError, successResultOf, thrownBy } from './helpers';

/** Records what the chain's callback / errback saw, as the Twisted test case does. */
function track<T>(d: Deferred<T>): { cb: unknown[]; eb: Failure[] } {
  const seen = { cb: [] as unknown[], eb: [] as Failure[] };
  d.addCallbacks(
    (r) => {
      seen.cb.push(r);
      return r;
    },
    (f) => {
      seen.eb.push(f);
    },
  );
  return seen;
}

describe('cancel', () => {
  it('without a canceller errbacks with CancelledError (DeferredCancellerTests.test_noCanceller)', () => {
    const d = new Deferred<null>();
    const seen = track(d);
    d.cancel();
    expect(seen.eb[0].type).toBe(CancelledError);
    expect(seen.cb).toEqual([]);
  });

  it('without a canceller allows one later callback, then raises (DeferredCancellerTests.test_raisesAfterCancelAndCallback)', () => {
    const d = new Deferred<null>();
    track(d);
    d.cancel();
    d.callback(null);
    expect(thrownBy(() => d.callback(null))).toBeInstanceOf(AlreadyCalledError);
    expect(thrownBy(() => d.errback(new Error()))).toBeInstanceOf(AlreadyCalledError);
  });

  it('without a canceller allows one later errback, then raises (DeferredCancellerTests.test_raisesAfterCancelAndErrback)', () => {
    const d = new Deferred<null>();
    track(d);
    d.cancel();
    d.errback(new Error());
    expect(thrownBy(() => d.callback(null))).toBeInstanceOf(AlreadyCalledError);
    expect(thrownBy(() => d.errback(new Error()))).toBeInstanceOf(AlreadyCalledError);
  });

  it('ignores more cancels after cancel and callback (DeferredCancellerTests.test_noCancellerMultipleCancelsAfterCancelAndCallback)', () => {
    const d = new Deferred<null>();
    const seen = track(d);
    d.cancel();
    const current = seen.eb[0];
    d.callback(null);
    d.cancel();
    expect(seen.eb).toEqual([current]);
    expect(seen.cb).toEqual([]);
  });

  it('ignores more cancels after cancel and errback (DeferredCancellerTests.test_noCancellerMultipleCancelsAfterCancelAndErrback)', () => {
    const d = new Deferred<null>();
    const seen = track(d);
    d.cancel();
    expect(seen.eb[0].type).toBe(CancelledError);
    d.errback(new GenericError());
    expect(seen.eb).toHaveLength(1);
    expect(seen.eb[0].type).toBe(CancelledError);
    d.cancel();
    expect(seen.eb).toHaveLength(1);
  });

  it('cancelling twice without a canceller is harmless (DeferredCancellerTests.test_noCancellerMultipleCancel)', () => {
    const d = new Deferred<null>();
    const seen = track(d);
    d.cancel();
    d.cancel();
    expect(seen.eb).toHaveLength(1);
    expect(seen.eb[0].type).toBe(CancelledError);
  });

  it('calls the canceller once however often cancelled (DeferredCancellerTests.test_cancellerMultipleCancel)', () => {
    let calls = 0;
    const d = new Deferred<null>(() => {
      calls++;
    });
    const seen = track(d);
    d.cancel();
    d.cancel();
    expect(calls).toBe(1);
    expect(seen.eb).toHaveLength(1);
    expect(seen.eb[0].type).toBe(CancelledError);
  });

  it('with a canceller, later fires raise (DeferredCancellerTests.test_simpleCanceller)', () => {
    let calls = 0;
    const d = new Deferred<null>(() => {
      calls++;
    });
    const seen = track(d);
    d.cancel();
    expect(calls).toBe(1);
    expect(seen.eb[0].type).toBe(CancelledError);
    expect(thrownBy(() => d.callback(null))).toBeInstanceOf(AlreadyCalledError);
    expect(thrownBy(() => d.errback(new Error()))).toBeInstanceOf(AlreadyCalledError);
  });

  it('passes the Deferred to its canceller (DeferredCancellerTests.test_cancellerArg)', () => {
    const got: unknown[] = [];
    const d: Deferred<null> = new Deferred<null>((x) => got.push(x));
    track(d);
    d.cancel();
    expect(got[0]).toBe(d);
  });

  it('does nothing after callback (DeferredCancellerTests.test_cancelAfterCallback)', () => {
    let calls = 0;
    const d = new Deferred<string>((x) => {
      calls++;
      x.errback(new GenericError());
    });
    const seen = track(d);
    d.callback('biff!');
    d.cancel();
    expect(calls).toBe(0);
    expect(seen.eb).toEqual([]);
    expect(seen.cb).toEqual(['biff!']);
  });

  it('does nothing after errback (DeferredCancellerTests.test_cancelAfterErrback)', () => {
    let calls = 0;
    const d = new Deferred<null>((x) => {
      calls++;
      x.errback(new GenericError());
    });
    const seen = track(d);
    d.errback(new GenericError());
    d.cancel();
    expect(calls).toBe(0);
    expect(seen.eb[0].type).toBe(GenericError);
    expect(seen.cb).toEqual([]);
  });

  it('a canceller that errbacks decides the failure (DeferredCancellerTests.test_cancellerThatErrbacks)', () => {
    const d = new Deferred<null>((x) => x.errback(new GenericError()));
    const seen = track(d);
    d.cancel();
    expect(seen.eb).toHaveLength(1);
    expect(seen.eb[0].type).toBe(GenericError);
  });

  it('a canceller that callbacks decides the result (DeferredCancellerTests.test_cancellerThatCallbacks)', () => {
    const d = new Deferred<string>((x) => x.callback('hello!'));
    const seen = track(d);
    d.cancel();
    expect(seen.cb).toEqual(['hello!']);
    expect(seen.eb).toEqual([]);
  });

  it('is forwarded to the Deferred being waited on (DeferredCancellerTests.test_cancelNestedDeferred)', () => {
    let innerCalls = 0;
    const b = new Deferred<null>(() => {
      innerCalls++;
    });
    const a = new Deferred<null>(() => {
      throw new Error('the outer canceller must not run');
    });
    a.callback(null);
    a.addCallback(() => b);
    a.cancel();
    const seen = track(a);
    expect(innerCalls).toBe(1);
    expect(seen.eb[0].type).toBe(CancelledError);
  });

  it('is forwarded through several levels of waiting', () => {
    const cancelled: string[] = [];
    const c = new Deferred<null>(() => cancelled.push('c'));
    const b = new Deferred<null>(() => cancelled.push('b'));
    b.callback(null);
    b.addCallback(() => c);
    const a = new Deferred<null>();
    a.callback(null);
    a.addCallback(() => b);
    a.cancel();
    expect(cancelled).toEqual(['c']);
    expect(failureResultOf(a, CancelledError)).toBeInstanceOf(Failure);
  });

  it('a canceller that throws lets the exception out of cancel()', () => {
    const d = new Deferred<null>(() => {
      throw new GenericError('canceller broke');
    });
    expect(() => d.cancel()).toThrow('canceller broke');
    // It did not fire, so it errbacks with CancelledError (the canceller could not).
    expect(d.called).toBe(false);
  });

  it('drops the canceller on firing, so it cannot keep things alive (DeferredTests.test_canceller_circular_reference_callback)', () => {
    const d = new Deferred<null>(() => undefined);
    expect(d._canceller).toBeTypeOf('function');
    d.callback(null);
    expect(d._canceller).toBeUndefined();
  });

  it('drops the canceller on errback too (DeferredTests.test_canceller_circular_reference_errback)', () => {
    const d = new Deferred<null>(() => undefined);
    d.errback(new Failure(new Error('The test demands failures.')));
    failureResultOf(d);
    expect(d._canceller).toBeUndefined();
  });

  it('drops the canceller even when another Deferred is added to the chain (DeferredTests.test_canceller_circular_reference_non_final)', () => {
    const d = new Deferred<null>(() => undefined);
    d.addCallback(() => new Deferred());
    d.callback(null);
    expect(d._canceller).toBeUndefined();
  });

  it('CancelledError is an IoReactorError with a stable code', () => {
    const e = new CancelledError();
    expect(e).toBeInstanceOf(IoReactorError);
    expect(e.code).toBe('ERR_IOREACTOR_CANCELLED');
    expect(e.name).toBe('CancelledError');
  });
});

describe('AlreadyCalledError', () => {
  const cases: [string, (d: Deferred<string>) => void, (d: Deferred<string>) => void][] = [
    ['CC', (d) => d.callback('hello'), (d) => d.callback('twice')],
    ['CE', (d) => d.callback('hello'), (d) => d.errback(new Failure(new Error()))],
    ['EE', (d) => d.errback(new Failure(new Error())), (d) => d.errback(new Failure(new Error()))],
    ['EC', (d) => d.errback(new Failure(new Error())), (d) => d.callback('twice')],
  ];
  for (const [name, first, second] of cases) {
    it(`is raised by a second fire (AlreadyCalledTests.testAlreadyCalled_${name})`, () => {
      const d = new Deferred<string>();
      d.addCallbacks(
        () => undefined,
        () => undefined,
      );
      first(d);
      const e = thrownBy(() => second(d));
      expect(e).toBeInstanceOf(AlreadyCalledError);
      expect((e as AlreadyCalledError).code).toBe('ERR_IOREACTOR_DEFERRED_ALREADY_CALLED');
    });
  }

  it('a second fire does not disturb the first result', () => {
    const d = new Deferred<string>();
    d.callback('one');
    expect(() => d.callback('two')).toThrow(AlreadyCalledError);
    expect(successResultOf(d)).toBe('one');
  });
});
