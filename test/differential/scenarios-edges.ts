// Differential scenarios (ioreactor side) for edge cases of the callback loop and of
// cancellation and timeouts in the helpers: twins of the same-named scenarios in twisted_edges.py.
import { AlreadyCalledError } from '../../src/defer/errors';
import { Deferred, DeferredList, DeferredSemaphore, type Failure, inlineCallbacks, succeed } from '../../src/defer';
import { Clock } from '../../src/task';
import { Boom, catcher, fmt, range, scenario, tracer } from './trace';

scenario('add_callback_during_run', (t) => {
  const d = new Deferred<number>();
  d.addCallback((r: number) => {
    t.push('cb1 ' + fmt(r));
    d.addCallback(tracer(t, 'added inside'));
    t.push('cb1 end');
    return r + 1;
  });
  d.addCallback(tracer(t, 'cb2'));
  d.callback(1);
  t.push('end');
});

scenario('callback_fires_other', (t) => {
  const d1 = new Deferred<string>();
  const d2 = new Deferred<string>();
  const d3 = new Deferred<string>();
  d1.addCallback((r: string) => {
    t.push('d1 cb fires d2');
    d2.callback(r + '2');
    t.push('d1 cb after d2');
    return r;
  }).addCallback(tracer(t, 'd1 next'));
  d2.addCallback((r: string) => {
    t.push('d2 cb fires d3');
    d3.callback(r + '3');
    return r;
  }).addCallback(tracer(t, 'd2 next'));
  d3.addCallback(tracer(t, 'd3 cb'));
  d1.callback('x');
});

scenario('pause_while_waiting_on_inner', (t) => {
  const outer = new Deferred<undefined>();
  const inner = new Deferred<number>();
  outer.addCallback(() => inner).addCallback(tracer(t, 'outer cb'));
  outer.callback(undefined);
  outer.pause();
  inner.callback(5);
  t.push('inner fired while outer paused');
  outer.unpause();
  t.push('end');
});

scenario('deep_nesting', (t) => {
  const n = 3000;
  const ds = range(n).map(() => new Deferred<unknown>());
  for (let i = 0; i < n - 1; i++) ds[i].addCallback(() => ds[i + 1]);
  ds[0].addCallback(tracer(t, 'd0 end'));
  for (let i = 0; i < n - 1; i++) ds[i].callback(i);
  t.push('all but last fired');
  ds[n - 1].callback('last');
  t.push('end');
});

scenario('inline_callbacks_long_loop', (t) => {
  const gen = inlineCallbacks(function* () {
    let total = 0;
    for (let i = 0; i < 5000; i++) total += (yield succeed(i)) as number;
    return total;
  });
  gen().addCallback(tracer(t, 'total'));
});

scenario('deferred_list_all_fail_fire_on_one_callback', (t) => {
  const ds = range(2).map(() => new Deferred<string>());
  new DeferredList(ds, { fireOnOneCallback: true, consumeErrors: true }).addCallback(tracer(t, 'list'));
  ds[1].errback(new Boom('one'));
  ds[0].errback(new Boom('zero'));
  t.push('end');
});

scenario('deferred_list_cancel', (t) => {
  const d1 = new Deferred<string>(() => {
    t.push('d1 canceller');
  });
  const d2 = new Deferred<string>();
  const dl = new DeferredList([d1, d2], { consumeErrors: true });
  dl.addCallback(tracer(t, 'list'));
  d2.callback('two');
  dl.cancel();
  t.push('end');
});

scenario('semaphore_cancel_acquire', (t) => {
  const sem = new DeferredSemaphore(1);
  sem.acquire().addCallback((s) => {
    t.push('a1 tokens=' + fmt(s.tokens));
  });
  const a2 = sem.acquire();
  a2.addErrback(catcher(t, 'a2'));
  a2.cancel();
  sem.release();
  t.push('tokens ' + fmt(sem.tokens));
  sem.acquire().addCallback((s) => {
    t.push('a3 tokens=' + fmt(s.tokens));
  });
});

scenario('timeout_custom_handler', (t) => {
  const clock = new Clock();
  const d = new Deferred<string>();
  d.addTimeout(2, clock, (_result, timeout) => 'timed out after ' + fmt(timeout)).addCallback(tracer(t, 'cb'));
  clock.advance(2);
  let late = 'ok';
  try {
    d.callback('late');
  } catch (e) {
    if (!(e instanceof AlreadyCalledError)) throw e;
    late = 'AlreadyCalledError';
  }
  t.push('late callback ' + late);
});

scenario('errback_returns_deferred', (t) => {
  const d = new Deferred<string>();
  const later = new Deferred<string>();
  d.addErrback((f: Failure) => {
    t.push('eb ' + fmt(f));
    return later;
  }).addCallback(tracer(t, 'cb after eb'));
  d.errback(new Boom('x'));
  t.push('waiting');
  later.callback('recovered later');
});

scenario('errback_raises', (t) => {
  const d = new Deferred<undefined>();
  d.addCallback(() => {
    throw new Boom('one');
  })
    .addErrback((f: Failure) => {
      t.push('eb ' + fmt(f));
      throw new Boom('two');
    })
    .addErrback(catcher(t, 'eb2'));
  d.callback(undefined);
});
