// Differential scenarios (ioreactor side) for LoopingCall, deferLater and the Cooperator, all on
// a task Clock: twins of the same-named scenarios in twisted_task.py.
import { Deferred, fail } from '../../src/defer';
import { Clock, Cooperator, LoopingCall, deferLater } from '../../src/task';
import { Boom, attempt, catcher, fmt, range, scenario, tracer, type Trace } from './trace';

function makeLoop(t: Trace, clock: Clock, label = 'f'): LoopingCall<unknown[]> {
  const lc = new LoopingCall((...args: unknown[]) => {
    t.push(`${label} ${fmt(clock.seconds())} ${fmt(args)}`);
  });
  lc.clock = clock;
  return lc;
}

// --- LoopingCall ----------------------------------------------------------------------------

scenario('looping_call_basic', (t) => {
  const clock = new Clock();
  const lc = new LoopingCall(
    (a: string, b: string) => {
      t.push('f ' + fmt(clock.seconds()) + ' ' + a + b);
    },
    'x',
    'y',
  );
  lc.clock = clock;
  lc.start(1.0).addCallback((r) => {
    t.push('stopped ' + fmt(r) + ' same=' + fmt(r === lc));
  });
  t.push('running ' + fmt(lc.running));
  clock.pump([0.5, 0.5, 1, 1]);
  lc.stop();
  t.push('running ' + fmt(lc.running) + ' pending ' + fmt(clock.getDelayedCalls().length));
});

scenario('looping_call_not_now', (t) => {
  const clock = new Clock();
  const lc = makeLoop(t, clock);
  lc.start(0.1, false).addCallback(catcher(t, 'stopped'));
  clock.pump([0.05, 0.1, 0.1]);
  lc.stop();
});

scenario('looping_call_skips', (t) => {
  const clock = new Clock();
  const lc = makeLoop(t, clock);
  lc.start(0.5);
  for (const step of [2, 1, 0, 0.25, 0.25]) clock.advance(step);
  lc.stop();
});

scenario('looping_call_with_count', (t) => {
  const clock = new Clock();
  const lc = LoopingCall.withCount((n) => {
    t.push('count ' + fmt(clock.seconds()) + ' ' + fmt(n));
  });
  lc.clock = clock;
  lc.start(0.5);
  for (const step of [0.51, 1.51, 0, 0.875, 0.125]) clock.advance(step);
  lc.stop();
  const lc2 = LoopingCall.withCount((n) => {
    t.push('count2 ' + fmt(n));
  });
  lc2.clock = clock;
  lc2.start(0.1, false);
  for (let i = 0; i < 10; i++) clock.advance(0.1);
  lc2.stop();
});

scenario('looping_call_waits_for_deferred', (t) => {
  const clock = new Clock();
  const calls: number[] = [];
  const f = (): Deferred<undefined> | undefined => {
    calls.push(clock.seconds());
    t.push('f ' + fmt(clock.seconds()));
    if (calls.length === 1) {
      const d = new Deferred<undefined>();
      clock.callLater(2.5, () => d.callback(undefined));
      return d;
    }
    if (calls.length === 3) lc.stop();
    return undefined;
  };
  const lc = LoopingCall.withCount((n) => {
    t.push('n ' + fmt(n));
    return f();
  });
  lc.clock = clock;
  lc.start(1).addCallback(() => {
    t.push('stopped at ' + fmt(clock.seconds()));
  });
  clock.pump([1, 1, 1, 1, 1, 1]);
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
});

scenario('looping_call_failure', (t) => {
  const clock = new Clock();
  let n = 0;
  const lc = new LoopingCall(() => {
    n++;
    t.push('f ' + fmt(n));
    if (n === 3) throw new Boom('third');
  });
  lc.clock = clock;
  lc.start(1).addErrback((e) => {
    t.push('eb ' + fmt(e) + ' running=' + fmt(lc.running));
  });
  clock.pump([1, 1, 1, 1]);
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
});

scenario('looping_call_stop_reset', (t) => {
  const clock = new Clock();
  const lc = makeLoop(t, clock);
  lc.start(2, false);
  clock.advance(1);
  lc.reset();
  clock.advance(1);
  t.push('at 2');
  clock.advance(1);
  lc.stop();
  clock.advance(10);
  const lc2: LoopingCall<[]> = new LoopingCall(() => {
    t.push('g stops itself');
    lc2.stop();
  });
  lc2.clock = clock;
  lc2.start(1).addCallback(() => {
    t.push('g deferred fired');
  });
  t.push('g running ' + fmt(lc2.running));
});

scenario('looping_call_callback_time_skips', (t) => {
  const clock = new Clock();
  let duration = 2;
  const lc = new LoopingCall(() => {
    t.push('f ' + fmt(clock.seconds()));
    clock.advance(duration);
  });
  lc.clock = clock;
  lc.start(0.5);
  clock.advance(0);
  duration = 1;
  clock.advance(0.5);
  clock.advance(0);
  duration = 0;
  clock.advance(0.5);
  lc.stop();
});

scenario('looping_call_zero_interval', (t) => {
  const clock = new Clock();
  const gate = new Deferred<undefined>();
  const seen: number[] = [];
  const lc = LoopingCall.withCount((n) => {
    seen.push(n);
    t.push('n ' + fmt(n) + ' at ' + fmt(clock.seconds()));
    return seen.length === 2 ? gate : undefined;
  });
  lc.clock = clock;
  lc.start(0, false);
  clock.advance(10);
  lc.interval = 2;
  gate.callback(undefined);
  for (const step of [7, 2, 4]) clock.advance(step);
  lc.stop();
});

// --- deferLater -----------------------------------------------------------------------------

scenario('defer_later', (t) => {
  const clock = new Clock();
  deferLater(
    clock,
    3,
    (a: number, b: number) => {
      t.push('f ' + fmt([a, b]) + ' at ' + fmt(clock.seconds()));
      return a + b;
    },
    1,
    2,
  ).addCallback(tracer(t, 'result'));
  deferLater(clock, 2).addCallback(tracer(t, 'no callable'));
  deferLater(clock, 1, () => {
    throw new Boom('later');
  }).addErrback(catcher(t, 'eb'));
  clock.advance(1);
  clock.advance(1);
  clock.advance(1);
});

scenario('defer_later_cancel', (t) => {
  const clock = new Clock();
  const d = deferLater(clock, 1, () => {
    t.push('must not run');
  });
  d.addErrback(catcher(t, 'eb'));
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
  d.cancel();
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
  clock.advance(5);
  t.push('end');
});

// --- Cooperator -----------------------------------------------------------------------------

function clockCooperator(clock: Clock, perTick = 1): Cooperator {
  return new Cooperator({
    terminationPredicateFactory: () => {
      let n = 0;
      return () => ++n >= perTick;
    },
    scheduler: (f) => clock.callLater(1, f),
  });
}

function* worker(t: Trace, name: string, items: Iterable<unknown>): Generator<undefined> {
  for (const x of items) {
    t.push(name + ' ' + fmt(x));
    yield undefined;
  }
}

scenario('cooperator_interleave', (t) => {
  const clock = new Clock();
  const c = clockCooperator(clock, 3);
  const it1 = worker(t, 'a', [1, 2, 3, 4]);
  c.coiterate(it1).addCallback((r) => {
    t.push('a done ' + fmt(r === it1));
  });
  c.coiterate(worker(t, 'b', [1, 2])).addCallback(() => {
    t.push('b done');
  });
  for (const i of range(5)) {
    t.push('tick ' + fmt(i));
    clock.advance(1);
  }
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
});

scenario('cooperator_waits_on_deferred', (t) => {
  const clock = new Clock();
  const c = clockCooperator(clock);
  function* gen(): Generator<unknown> {
    t.push('step 1');
    const d = new Deferred<string>();
    clock.callLater(2.5, () => d.callback('v'));
    yield d;
    t.push('step 2 at ' + fmt(clock.seconds()));
    yield fail(new Boom('yielded failure'));
    t.push('must not run');
  }
  c.coiterate(gen()).addErrback(catcher(t, 'eb'));
  clock.pump([1, 1, 1, 1, 1, 1]);
});

scenario('cooperative_task_control', (t) => {
  const clock = new Clock();
  const c = clockCooperator(clock);
  const tk = c.cooperate(worker(t, 'w', range(10)));
  tk.whenDone().addBoth(catcher(t, 'whenDone'));
  clock.advance(1);
  tk.pause();
  tk.pause();
  clock.advance(1);
  tk.resume();
  clock.advance(1);
  tk.resume();
  t.push('resumed');
  clock.advance(1);
  attempt(t, 'resume unpaused', () => tk.resume());
  tk.stop();
  attempt(t, 'stop again', () => tk.stop());
  attempt(t, 'pause stopped', () => tk.pause());
  tk.whenDone().addBoth(catcher(t, 'whenDone after'));
  clock.advance(1);
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
});

scenario('cooperator_stop', (t) => {
  const clock = new Clock();
  const c = clockCooperator(clock);
  c.coiterate(worker(t, 'w', range(5))).addErrback(catcher(t, 'eb'));
  clock.advance(1);
  t.push('running ' + fmt(c.running));
  c.stop();
  t.push('running ' + fmt(c.running));
  c.coiterate([]).addErrback(catcher(t, 'after stop'));
  clock.advance(5);
  t.push('pending ' + fmt(clock.getDelayedCalls().length));
});

scenario('cooperator_iterator_error', (t) => {
  const clock = new Clock();
  const c = clockCooperator(clock);
  function* gen(): Generator<undefined> {
    yield undefined;
    throw new Boom('in iterator');
  }
  const tk = c.cooperate(gen());
  tk.whenDone().addErrback(catcher(t, 'eb'));
  clock.pump([1, 1, 1]);
  attempt(t, 'stop failed', () => tk.stop());
  const done = c.cooperate([1]);
  clock.pump([1, 1]);
  attempt(t, 'stop done', () => done.stop());
});
