"""
Differential scenarios, Twisted side: LoopingCall, deferLater and the Cooperator, on a Clock.
Twins of scenarios-task.ts.
"""

from twisted.internet import defer, task

from twisted_trace import Boom, attempt, catcher, fmt, scenario, tracer

# --- LoopingCall ----------------------------------------------------------------------------


def make_loop(t, clock, label="f"):
    def f(*args):
        t.append(label + " " + fmt(clock.seconds()) + " " + fmt(list(args)))

    lc = task.LoopingCall(f)
    lc.clock = clock
    return lc


@scenario
def looping_call_basic(t):
    clock = task.Clock()
    lc = task.LoopingCall(lambda a, b: t.append("f " + fmt(clock.seconds()) + " " + a + b), "x", "y")
    lc.clock = clock
    d = lc.start(1.0)
    d.addCallback(lambda r: t.append("stopped " + fmt(r) + " same=" + fmt(r is lc)))
    t.append("running " + fmt(lc.running))
    clock.pump([0.5, 0.5, 1, 1])
    lc.stop()
    t.append("running " + fmt(lc.running) + " pending " + fmt(len(clock.getDelayedCalls())))


@scenario
def looping_call_not_now(t):
    clock = task.Clock()
    lc = make_loop(t, clock)
    lc.start(0.1, now=False).addCallback(catcher(t, "stopped"))
    clock.pump([0.05, 0.1, 0.1])
    lc.stop()


@scenario
def looping_call_skips(t):
    clock = task.Clock()
    lc = make_loop(t, clock)
    lc.start(0.5)
    clock.advance(2)
    clock.advance(1)
    clock.advance(0)
    clock.advance(0.25)
    clock.advance(0.25)
    lc.stop()


@scenario
def looping_call_with_count(t):
    clock = task.Clock()
    lc = task.LoopingCall.withCount(lambda n: t.append("count " + fmt(clock.seconds()) + " " + fmt(n)))
    lc.clock = clock
    lc.start(0.5)
    clock.advance(0.51)
    clock.advance(1.51)
    clock.advance(0)
    clock.advance(0.875)
    clock.advance(0.125)
    lc.stop()
    lc2 = task.LoopingCall.withCount(lambda n: t.append("count2 " + fmt(n)))
    lc2.clock = clock
    lc2.start(0.1, now=False)
    for _ in range(10):
        clock.advance(0.1)
    lc2.stop()


@scenario
def looping_call_waits_for_deferred(t):
    clock = task.Clock()
    calls = []

    def f():
        calls.append(clock.seconds())
        t.append("f " + fmt(clock.seconds()))
        if len(calls) == 1:
            d = defer.Deferred()
            clock.callLater(2.5, d.callback, None)
            return d
        if len(calls) == 3:
            lc.stop()

    lc = task.LoopingCall.withCount(lambda n: (t.append("n " + fmt(n)), f())[1])
    lc.clock = clock
    lc.start(1).addCallback(lambda r: t.append("stopped at " + fmt(clock.seconds())))
    clock.pump([1, 1, 1, 1, 1, 1])
    t.append("pending " + fmt(len(clock.getDelayedCalls())))


@scenario
def looping_call_failure(t):
    clock = task.Clock()
    n = [0]

    def f():
        n[0] += 1
        t.append("f " + fmt(n[0]))
        if n[0] == 3:
            raise Boom("third")

    lc = task.LoopingCall(f)
    lc.clock = clock
    lc.start(1).addErrback(lambda e: t.append("eb " + fmt(e) + " running=" + fmt(lc.running)))
    clock.pump([1, 1, 1, 1])
    t.append("pending " + fmt(len(clock.getDelayedCalls())))


@scenario
def looping_call_stop_reset(t):
    clock = task.Clock()
    lc = make_loop(t, clock)
    lc.start(2, now=False)
    clock.advance(1)
    lc.reset()
    clock.advance(1)
    t.append("at 2")
    clock.advance(1)
    lc.stop()
    clock.advance(10)

    def g_stop():
        t.append("g stops itself")
        lc2.stop()

    lc2 = task.LoopingCall(g_stop)
    lc2.clock = clock
    lc2.start(1).addCallback(lambda r: t.append("g deferred fired"))
    t.append("g running " + fmt(lc2.running))


@scenario
def looping_call_callback_time_skips(t):
    clock = task.Clock()
    duration = [2]

    def f():
        t.append("f " + fmt(clock.seconds()))
        clock.advance(duration[0])

    lc = task.LoopingCall(f)
    lc.clock = clock
    lc.start(0.5)
    clock.advance(0)
    duration[0] = 1
    clock.advance(0.5)
    clock.advance(0)
    duration[0] = 0
    clock.advance(0.5)
    lc.stop()


@scenario
def looping_call_zero_interval(t):
    clock = task.Clock()
    gate = defer.Deferred()
    seen = []

    def f(n):
        seen.append(n)
        t.append("n " + fmt(n) + " at " + fmt(clock.seconds()))
        if len(seen) == 2:
            return gate

    lc = task.LoopingCall.withCount(f)
    lc.clock = clock
    lc.start(0, now=False)
    clock.advance(10)
    lc.interval = 2
    gate.callback(None)
    clock.advance(7)
    clock.advance(2)
    clock.advance(4)
    lc.stop()


# --- deferLater -----------------------------------------------------------------------------


@scenario
def defer_later(t):
    clock = task.Clock()

    def f(a, b):
        t.append("f " + fmt([a, b]) + " at " + fmt(clock.seconds()))
        return a + b

    task.deferLater(clock, 3, f, 1, 2).addCallback(tracer(t, "result"))
    task.deferLater(clock, 2).addCallback(tracer(t, "no callable"))

    def bad():
        raise Boom("later")

    task.deferLater(clock, 1, bad).addErrback(catcher(t, "eb"))
    clock.advance(1)
    clock.advance(1)
    clock.advance(1)


@scenario
def defer_later_cancel(t):
    clock = task.Clock()
    d = task.deferLater(clock, 1, lambda: t.append("must not run"))
    d.addErrback(catcher(t, "eb"))
    t.append("pending " + fmt(len(clock.getDelayedCalls())))
    d.cancel()
    t.append("pending " + fmt(len(clock.getDelayedCalls())))
    clock.advance(5)
    t.append("end")


# --- Cooperator -----------------------------------------------------------------------------


def clock_cooperator(clock, per_tick=1):
    def factory():
        n = [0]

        def done():
            n[0] += 1
            return n[0] >= per_tick

        return done

    return task.Cooperator(terminationPredicateFactory=factory, scheduler=lambda f: clock.callLater(1, f))


def worker(t, name, items):
    for x in items:
        t.append(name + " " + fmt(x))
        yield None


@scenario
def cooperator_interleave(t):
    clock = task.Clock()
    c = clock_cooperator(clock, per_tick=3)
    it1 = worker(t, "a", [1, 2, 3, 4])
    c.coiterate(it1).addCallback(lambda r: t.append("a done " + fmt(r is it1)))
    c.coiterate(worker(t, "b", [1, 2])).addCallback(lambda r: t.append("b done"))
    for i in range(5):
        t.append("tick " + fmt(i))
        clock.advance(1)
    t.append("pending " + fmt(len(clock.getDelayedCalls())))


@scenario
def cooperator_waits_on_deferred(t):
    clock = task.Clock()
    c = clock_cooperator(clock)

    def gen():
        t.append("step 1")
        d = defer.Deferred()
        clock.callLater(2.5, d.callback, "v")
        yield d
        t.append("step 2 at " + fmt(clock.seconds()))
        yield defer.fail(Boom("yielded failure"))
        t.append("must not run")

    c.coiterate(gen()).addErrback(catcher(t, "eb"))
    clock.pump([1, 1, 1, 1, 1, 1])


@scenario
def cooperative_task_control(t):
    clock = task.Clock()
    c = clock_cooperator(clock)
    tk = c.cooperate(worker(t, "w", range(10)))
    tk.whenDone().addBoth(catcher(t, "whenDone"))
    clock.advance(1)
    tk.pause()
    tk.pause()
    clock.advance(1)
    tk.resume()
    clock.advance(1)
    tk.resume()
    t.append("resumed")
    clock.advance(1)
    attempt(t, "resume unpaused", tk.resume)
    tk.stop()
    attempt(t, "stop again", tk.stop)
    attempt(t, "pause stopped", tk.pause)
    tk.whenDone().addBoth(catcher(t, "whenDone after"))
    clock.advance(1)
    t.append("pending " + fmt(len(clock.getDelayedCalls())))


@scenario
def cooperator_stop(t):
    clock = task.Clock()
    c = clock_cooperator(clock)
    c.coiterate(worker(t, "w", range(5))).addErrback(catcher(t, "eb"))
    clock.advance(1)
    t.append("running " + fmt(c.running))
    c.stop()
    t.append("running " + fmt(c.running))
    c.coiterate(iter(())).addErrback(catcher(t, "after stop"))
    clock.advance(5)
    t.append("pending " + fmt(len(clock.getDelayedCalls())))


@scenario
def cooperator_iterator_error(t):
    clock = task.Clock()
    c = clock_cooperator(clock)

    def gen():
        yield None
        raise Boom("in iterator")

    tk = c.cooperate(gen())
    tk.whenDone().addErrback(catcher(t, "eb"))
    clock.pump([1, 1, 1])
    attempt(t, "stop failed", tk.stop)
    done = c.cooperate(iter([1]))
    clock.pump([1, 1])
    attempt(t, "stop done", done.stop)
