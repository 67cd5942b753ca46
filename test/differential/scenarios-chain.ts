// Differential scenarios (ioreactor side) for callback chains, nesting, pause and cancellation:
// twins of the same-named scenarios in twisted_chain.py. Same steps, same trace strings.
import { Deferred, Failure, fail, succeed } from '../../src/defer';
import { Clock } from '../../src/task';
import { Boom, Other, attempt, catcher, fmt, range, scenario, tracer } from './trace';

// --- callback chains ------------------------------------------------------------------------

scenario('chain_basic', (t) => {
  const d = new Deferred<number>();
  d.addCallback((r: number) => {
    t.push('cb1 ' + fmt(r));
    return r * 2;
  })
    .addCallback((r: number) => {
      t.push('cb2 ' + fmt(r));
      return [r, r + 1];
    })
    .addCallback(catcher(t, 'final'));
  t.push('before fire');
  d.callback(5);
  t.push('after fire');
  d.addCallback(tracer(t, 'late'));
});

scenario('chain_callback_args', (t) => {
  const d = new Deferred<number>();
  d.addCallback(
    (r: number, a: number, b: number) => {
      t.push('cb ' + fmt([r, a, b]));
      return r + a + b;
    },
    10,
    100,
  )
    .addCallback((r: number) => {
      throw new Boom(fmt(r));
    })
    .addErrback((f: Failure, tag: string) => {
      t.push('eb ' + tag + ' ' + fmt(f));
      return 0;
    }, 'tagged')
    .addCallback(tracer(t, 'result'));
  d.callback(1);
});

scenario('errback_recovery', (t) => {
  const d = new Deferred<number>();
  d.addCallback((r: number) => {
    t.push('cb ' + fmt(r));
    throw new Boom('bad ' + fmt(r));
  })
    .addCallback(tracer(t, 'skipped'))
    .addErrback((f: Failure) => {
      t.push('eb ' + fmt(f));
      return 'recovered';
    })
    .addErrback(tracer(t, 'skipped eb'))
    .addCallback(tracer(t, 'after'));
  d.callback(1);
});

scenario('add_callbacks_pair', (t) => {
  const d = new Deferred<string>();
  d.addCallbacks(
    (r: string) => {
      t.push('cb ' + fmt(r));
      throw new Boom('from cb');
    },
    tracer(t, 'same-pair eb (must not run)'),
  )
    .addCallbacks(tracer(t, 'cb2 (must not run)'), catcher(t, 'eb2'))
    .addCallback(tracer(t, 'cb3'));
  d.callback('x');
});

scenario('add_both', (t) => {
  succeed(1).addBoth(tracer(t, 'both1')).addBoth(catcher(t, 'both1b'));
  fail(new Boom('x')).addBoth(catcher(t, 'both2')).addBoth(catcher(t, 'both2b'));
});

scenario('failure_trap_and_check', (t) => {
  const d = new Deferred<string>();
  d.addErrback((f: Failure) => {
    t.push('check Boom ' + fmt(f.check(Boom) !== null));
    t.push('check KeyError ' + fmt(f.check(Other) !== null));
    f.trap(Other);
    t.push('must not get here');
  })
    .addErrback((f: Failure) => {
      t.push('trap ' + fmt(f.trap(Boom) === Boom));
      t.push('message ' + f.getErrorMessage());
      return 'handled';
    })
    .addCallback(tracer(t, 'result'));
  d.errback(new Boom('trapped'));
});

scenario('callback_returns_failure', (t) => {
  const d = new Deferred<number>();
  d.addCallback((r: number) => {
    t.push('cb ' + fmt(r));
    return new Failure(new Boom('returned'));
  })
    .addCallback(tracer(t, 'skipped'))
    .addErrback(catcher(t, 'eb'));
  d.callback(3);
});

scenario('already_called', (t) => {
  const d = new Deferred<number>();
  d.addBoth(catcher(t, 'both'));
  d.callback(1);
  attempt(t, 'second callback', (v: number) => d.callback(v), 2);
  attempt(t, 'errback after callback', (e: Error) => d.errback(e), new Boom('late'));
});

// --- nested Deferreds -----------------------------------------------------------------------

scenario('nested_later', (t) => {
  const outer = new Deferred<number>();
  const inner = new Deferred<number>();
  outer
    .addCallback((r: number) => {
      t.push('outer cb1 ' + fmt(r));
      return inner;
    })
    .addCallback((r: number) => {
      t.push('outer cb2 ' + fmt(r));
      return r + 1;
    })
    .addCallback(tracer(t, 'outer cb3'));
  outer.callback(1);
  t.push('outer fired, waiting on inner');
  inner.callback(10);
  t.push('inner fired');
  inner.addCallback(tracer(t, 'inner late'));
});

scenario('nested_already_fired', (t) => {
  const outer = new Deferred<number>();
  outer
    .addCallback((r: number) => {
      t.push('cb1 ' + fmt(r));
      return succeed(r * 10);
    })
    .addCallback(tracer(t, 'cb2'));
  outer.callback(2);
  t.push('end');
});

scenario('nested_failure', (t) => {
  const outer = new Deferred<undefined>();
  const inner = new Deferred<unknown>();
  outer
    .addCallback(() => inner)
    .addCallback(tracer(t, 'cb (must not run)'))
    .addErrback(catcher(t, 'outer eb'));
  outer.callback(undefined);
  inner.errback(new Boom('inner failed'));
  inner.addBoth(tracer(t, 'inner after'));
});

scenario('nested_deep', (t) => {
  const ds = range(6).map(() => new Deferred<string>());
  for (let i = 0; i < 5; i++) {
    ds[i].addCallback((r: string) => {
      t.push(`d${i} cb ${fmt(r)}`);
      return ds[i + 1];
    });
  }
  ds[0].addCallback(tracer(t, 'd0 end'));
  ds[5].addCallback(tracer(t, 'd5 cb'));
  ds[2].callback('c');
  ds[0].callback('a');
  ds[4].callback('e');
  ds[1].callback('b');
  t.push('before d3');
  ds[3].callback('d');
  t.push('before d5');
  ds[5].callback('f');
});

scenario('chain_deferred', (t) => {
  const d1 = new Deferred<string>();
  const d2 = new Deferred<string>();
  d1.addCallback(tracer(t, 'd1 cb'));
  d1.chainDeferred(d2);
  d1.addCallback(tracer(t, 'd1 after chain'));
  d2.addCallback(tracer(t, 'd2 cb'));
  d1.callback('v');
  const d3 = new Deferred<string>();
  const d4 = new Deferred<string>();
  d3.chainDeferred(d4);
  d3.addBoth(tracer(t, 'd3 after chain'));
  d4.addErrback(catcher(t, 'd4 eb'));
  d3.errback(new Boom('chained'));
});

// --- pause / unpause ------------------------------------------------------------------------

scenario('pause_unpause', (t) => {
  const d = new Deferred<number>();
  d.pause();
  d.addCallback(tracer(t, 'cb1'));
  d.callback(1);
  t.push('fired while paused');
  d.addCallback(tracer(t, 'cb2'));
  t.push('unpausing');
  d.unpause();
  t.push('end');
});

scenario('pause_twice', (t) => {
  const d = new Deferred<string>();
  d.pause();
  d.pause();
  d.addCallback(tracer(t, 'cb'));
  d.callback('x');
  d.unpause();
  t.push('unpaused once');
  d.unpause();
  t.push('unpaused twice');
});

scenario('pause_inside_callback', (t) => {
  const d = new Deferred<number>();
  d.addCallback((r: number) => {
    t.push('cb1 pauses');
    d.pause();
    return r + 1;
  }).addCallback(tracer(t, 'cb2'));
  d.callback(1);
  t.push('after callback');
  d.unpause();
  t.push('after unpause');
});

// --- cancellation ---------------------------------------------------------------------------

scenario('cancel_without_canceller', (t) => {
  const d = new Deferred<string>();
  d.addErrback(catcher(t, 'eb'));
  d.cancel();
  attempt(t, 'late callback', (v: string) => d.callback(v), 'late');
  attempt(t, 'second late callback', (v: string) => d.callback(v), 'later');
});

scenario('cancel_canceller_fires', (t) => {
  const d = new Deferred<string>((self) => {
    t.push('canceller');
    self.callback('from canceller');
  });
  d.addBoth(tracer(t, 'both'));
  d.cancel();
  attempt(t, 'late callback', (v: string) => d.callback(v), 'late');
});

scenario('cancel_canceller_silent', (t) => {
  const d = new Deferred<string>(() => {
    t.push('canceller does nothing');
  });
  d.addErrback(catcher(t, 'eb'));
  d.cancel();
  attempt(t, 'late callback', (v: string) => d.callback(v), 'late');
});

scenario('cancel_waiting_on_inner', (t) => {
  const inner = new Deferred<unknown>(() => {
    t.push('inner canceller');
  });
  const outer = new Deferred<undefined>();
  outer
    .addCallback(() => inner)
    .addCallback(tracer(t, 'outer cb (must not run)'))
    .addErrback(catcher(t, 'outer eb'));
  outer.callback(undefined);
  outer.cancel();
  attempt(t, 'cancel again', () => outer.cancel());
});

scenario('cancel_after_fire', (t) => {
  const d = succeed('done');
  d.cancel();
  d.addCallback(tracer(t, 'cb'));
});

scenario('add_timeout', (t) => {
  const clock = new Clock();
  const d1 = new Deferred<string>();
  d1.addTimeout(5, clock).addErrback(catcher(t, 'd1 eb'));
  clock.advance(4);
  t.push('at 4');
  clock.advance(1);
  const d2 = new Deferred<string>();
  d2.addTimeout(5, clock).addCallback(tracer(t, 'd2 cb'));
  clock.advance(1);
  d2.callback('in time');
  t.push('pending calls ' + fmt(clock.getDelayedCalls().length));
});
