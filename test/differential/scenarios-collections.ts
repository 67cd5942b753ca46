// Differential scenarios (ioreactor side) for DeferredList, gatherResults, inlineCallbacks and
// the queue, lock and semaphore: twins of the same-named scenarios in twisted_collections.py.
import { CancelledError } from '../../src/defer/errors';
import { Deferred, DeferredList, DeferredLock, DeferredQueue, DeferredSemaphore, fail, gatherResults, inlineCallbacks, succeed } from '../../src/defer';
import { Boom, attempt, catcher, fmt, range, scenario, tracer } from './trace';

// --- DeferredList / gatherResults -----------------------------------------------------------

scenario('deferred_list_basic', (t) => {
  const ds = range(3).map(() => new Deferred<string>());
  new DeferredList(ds, { consumeErrors: true }).addCallback(tracer(t, 'list'));
  ds[2].callback('c');
  ds[0].errback(new Boom('a'));
  t.push('two fired');
  ds[1].callback('b');
  ds[0].addBoth(tracer(t, 'member 0 after'));
  t.push('empty ' + fmt(new DeferredList([]).result));
});

scenario('deferred_list_fire_on_one_callback', (t) => {
  const ds = range(3).map(() => new Deferred<string>());
  new DeferredList(ds, { fireOnOneCallback: true }).addCallback(tracer(t, 'list'));
  ds[0].errback(new Boom('ignored'));
  ds[0].addErrback(catcher(t, 'member 0'));
  ds[1].callback('x');
  ds[2].callback('y');
  t.push('end');
});

scenario('deferred_list_fire_on_one_errback', (t) => {
  const ds = range(3).map(() => new Deferred<string>());
  new DeferredList(ds, { fireOnOneErrback: true, consumeErrors: true }).addCallbacks(tracer(t, 'list cb (must not run)'), catcher(t, 'list eb'));
  ds[0].callback('ok');
  ds[2].errback(new Boom('e2'));
  ds[1].errback(new Boom('e1'));
  t.push('end');
});

scenario('deferred_list_consume_errors', (t) => {
  for (const consume of [false, true]) {
    const d = new Deferred<string>();
    new DeferredList([d], { consumeErrors: consume });
    d.errback(new Boom('c'));
    d.addBoth(catcher(t, 'consume=' + fmt(consume) + ' member sees'));
  }
});

scenario('gather_results', (t) => {
  const d2 = new Deferred<number>();
  gatherResults([succeed(1), d2]).addCallback(tracer(t, 'gathered'));
  d2.callback(2);
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  gatherResults([a, b], { consumeErrors: true }).addErrback(catcher(t, 'gather eb'));
  b.errback(new Boom('b'));
  a.callback('a');
  b.addBoth(tracer(t, 'b after'));
});

// --- inlineCallbacks ------------------------------------------------------------------------

scenario('inline_callbacks_basic', (t) => {
  const later = new Deferred<number>();
  const gen = inlineCallbacks(function* (a: number) {
    t.push('start ' + fmt(a));
    const x: number = yield succeed(a + 1);
    t.push('got ' + fmt(x));
    const y: number = yield later;
    t.push('got ' + fmt(y));
    const z: number = yield 7;
    t.push('got plain ' + fmt(z));
    return x + y + z;
  });
  gen(1).addCallback(tracer(t, 'result'));
  t.push('before fire');
  later.callback(10);
  t.push('end');
});

scenario('inline_callbacks_errors', (t) => {
  const later = new Deferred<number>();
  const gen = inlineCallbacks(function* () {
    try {
      yield fail(new Boom('first'));
    } catch (e) {
      if (!(e instanceof Boom)) throw e;
      t.push('caught ' + fmt(e));
    }
    try {
      yield later;
    } catch (e) {
      if (!(e instanceof Boom)) throw e;
      t.push('caught ' + fmt(e));
    }
    throw new Boom('escaped');
  });
  gen().addErrback(catcher(t, 'result eb'));
  later.errback(new Boom('second'));
});

scenario('inline_callbacks_cancel', (t) => {
  const waiting = new Deferred<string>();
  const gen = inlineCallbacks(function* () {
    try {
      yield waiting;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      t.push('generator saw CancelledError');
      return 'cleaned up';
    }
    return undefined;
  });
  const r = gen();
  r.addBoth(tracer(t, 'result'));
  r.cancel();
  t.push('end');
});

// --- DeferredQueue / DeferredLock / DeferredSemaphore -----------------------------------------

scenario('deferred_queue', (t) => {
  const q = new DeferredQueue<string>(2, 1);
  q.get().addCallback(tracer(t, 'get1'));
  q.put('a');
  q.put('b');
  q.put('c');
  attempt(t, 'put d', (v: string) => q.put(v), 'd');
  q.get().addCallback(tracer(t, 'get2'));
  q.get().addCallback(tracer(t, 'get3'));
  const pending = q.get();
  pending.addBoth(catcher(t, 'get4'));
  attempt(t, 'get5', () => q.get());
  pending.cancel();
  q.put('e');
  q.get().addCallback(tracer(t, 'get6'));
});

scenario('deferred_lock', (t) => {
  const lock = new DeferredLock();
  lock.acquire().addCallback((l) => {
    t.push('a1 locked=' + fmt(l.locked));
  });
  lock.acquire().addCallback(() => {
    t.push('a2 acquired');
  });
  const a3 = lock.acquire();
  a3.addErrback(catcher(t, 'a3'));
  a3.cancel();
  const gate = new Deferred<string>();
  lock
    .run((x: number) => {
      t.push('run work ' + fmt(x));
      return gate;
    }, 5)
    .addCallback(tracer(t, 'run result'));
  t.push('release 1');
  lock.release();
  t.push('release 2');
  lock.release();
  t.push('locked ' + fmt(lock.locked));
  gate.callback('gated');
  t.push('locked ' + fmt(lock.locked));
});

scenario('deferred_semaphore', (t) => {
  const sem = new DeferredSemaphore(2);
  for (const i of range(4)) {
    sem.acquire().addCallback((s) => {
      t.push(`acq${i} tokens=${s.tokens}`);
    });
  }
  t.push('tokens ' + fmt(sem.tokens));
  sem.release();
  sem.release();
  t.push('tokens ' + fmt(sem.tokens));
  sem.release();
  sem.release();
  t.push('tokens ' + fmt(sem.tokens));
  sem.run(() => fail(new Boom('in run'))).addErrback(catcher(t, 'run eb'));
  t.push('tokens ' + fmt(sem.tokens));
});
