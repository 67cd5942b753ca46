"""
Differential scenarios, Twisted side.

Every scenario here has a twin of the same name in scenarios.ts written against ioreactor. Each
appends strings to a trace; differential.test.ts runs this file once and compares the traces
scenario by scenario. Run it by hand with:

    python3 test/differential/twisted_scenarios.py [scenario ...]

It prints one JSON object {scenario: [event, ...]} on stdout and nothing else there.

Keep the two files in step: same scenario names, same order of events, same formatting (see
fmt below and fmt in scenarios.ts).
"""

import json
import sys

try:
    from twisted.internet import defer, task
    from twisted.python.failure import Failure
except ImportError as e:
    # Exit status 3 tells the runner (twisted.ts) "no Twisted here", so it can try another
    # Python; any other failure is a real error.
    sys.stderr.write("cannot import twisted: %s\n" % (e,))
    sys.exit(3)


class Boom(Exception):
    """The scenarios' own error: its message is part of the trace."""


def fmt_exc(e):
    name = type(e).__name__
    if isinstance(e, Boom):
        return name + ":" + str(e)
    if isinstance(e, defer.FirstError):
        return name + "(" + str(e.index) + ", " + fmt(e.subFailure) + ")"
    return name


def fmt(v):
    """A language-neutral rendering of a value; mirrored by fmt() in scenarios.ts."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, Failure):
        return "Failure(" + fmt_exc(v.value) + ")"
    if isinstance(v, BaseException):
        return fmt_exc(v)
    if isinstance(v, defer.Deferred):
        return "Deferred"
    if isinstance(v, task.LoopingCall):
        return "LoopingCall"
    return type(v).__name__


def tracer(t, label):
    """A callback/errback that records what it sees and passes it on."""

    def f(r):
        t.append(label + " " + fmt(r))
        return r

    return f


def catcher(t, label):
    """An errback/both that records what it sees and swallows it (returns None)."""

    def f(r):
        t.append(label + " " + fmt(r))

    return f


def attempt(t, label, f, *args):
    """Calls f(*args), recording 'label ok' or 'label raised <Error>'."""
    try:
        f(*args)
        t.append(label + " ok")
    except BaseException as e:
        t.append(label + " raised " + fmt_exc(e))


SCENARIOS = {}


def scenario(f):
    SCENARIOS[f.__name__] = f
    return f


# --- callback chains ------------------------------------------------------------------------


@scenario
def chain_basic(t):
    d = defer.Deferred()

    def cb1(r):
        t.append("cb1 " + fmt(r))
        return r * 2

    def cb2(r):
        t.append("cb2 " + fmt(r))
        return [r, r + 1]

    d.addCallback(cb1)
    d.addCallback(cb2)
    d.addCallback(catcher(t, "final"))
    t.append("before fire")
    d.callback(5)
    t.append("after fire")
    d.addCallback(tracer(t, "late"))


@scenario
def chain_callback_args(t):
    d = defer.Deferred()

    def cb(r, a, b):
        t.append("cb " + fmt([r, a, b]))
        return r + a + b

    def eb(f, tag):
        t.append("eb " + tag + " " + fmt(f))
        return 0

    def raiser(r):
        raise Boom(fmt(r))

    d.addCallback(cb, 10, 100)
    d.addCallback(raiser)
    d.addErrback(eb, "tagged")
    d.addCallback(tracer(t, "result"))
    d.callback(1)


@scenario
def errback_recovery(t):
    d = defer.Deferred()

    def cb(r):
        t.append("cb " + fmt(r))
        raise Boom("bad " + fmt(r))

    def eb(f):
        t.append("eb " + fmt(f))
        return "recovered"

    d.addCallback(cb)
    d.addCallback(tracer(t, "skipped"))
    d.addErrback(eb)
    d.addErrback(tracer(t, "skipped eb"))
    d.addCallback(tracer(t, "after"))
    d.callback(1)


@scenario
def add_callbacks_pair(t):
    d = defer.Deferred()

    def cb(r):
        t.append("cb " + fmt(r))
        raise Boom("from cb")

    d.addCallbacks(cb, tracer(t, "same-pair eb (must not run)"))
    d.addCallbacks(tracer(t, "cb2 (must not run)"), catcher(t, "eb2"))
    d.addCallback(tracer(t, "cb3"))
    d.callback("x")


@scenario
def add_both(t):
    d1 = defer.succeed(1)
    d1.addBoth(tracer(t, "both1"))
    d1.addBoth(catcher(t, "both1b"))
    d2 = defer.fail(Boom("x"))
    d2.addBoth(catcher(t, "both2"))
    d2.addBoth(catcher(t, "both2b"))


@scenario
def failure_trap_and_check(t):
    d = defer.Deferred()

    def eb_wrong(f):
        t.append("check Boom " + fmt(f.check(Boom) is not None))
        t.append("check KeyError " + fmt(f.check(KeyError) is not None))
        f.trap(KeyError)
        t.append("must not get here")

    def eb_right(f):
        t.append("trap " + fmt(f.trap(Boom) is Boom))
        t.append("message " + f.getErrorMessage())
        return "handled"

    d.addErrback(eb_wrong)
    d.addErrback(eb_right)
    d.addCallback(tracer(t, "result"))
    d.errback(Boom("trapped"))


@scenario
def callback_returns_failure(t):
    d = defer.Deferred()

    def cb(r):
        t.append("cb " + fmt(r))
        return Failure(Boom("returned"))

    d.addCallback(cb)
    d.addCallback(tracer(t, "skipped"))
    d.addErrback(catcher(t, "eb"))
    d.callback(3)


@scenario
def already_called(t):
    d = defer.Deferred()
    d.addBoth(catcher(t, "both"))
    d.callback(1)
    attempt(t, "second callback", d.callback, 2)
    attempt(t, "errback after callback", d.errback, Boom("late"))


# --- nested Deferreds -----------------------------------------------------------------------


@scenario
def nested_later(t):
    outer = defer.Deferred()
    inner = defer.Deferred()

    def returns_inner(r):
        t.append("outer cb1 " + fmt(r))
        return inner

    def cb2(r):
        t.append("outer cb2 " + fmt(r))
        return r + 1

    outer.addCallback(returns_inner)
    outer.addCallback(cb2)
    outer.addCallback(tracer(t, "outer cb3"))
    outer.callback(1)
    t.append("outer fired, waiting on inner")
    inner.callback(10)
    t.append("inner fired")
    inner.addCallback(tracer(t, "inner late"))


@scenario
def nested_already_fired(t):
    outer = defer.Deferred()

    def returns_fired(r):
        t.append("cb1 " + fmt(r))
        return defer.succeed(r * 10)

    outer.addCallback(returns_fired)
    outer.addCallback(tracer(t, "cb2"))
    outer.callback(2)
    t.append("end")


@scenario
def nested_failure(t):
    outer = defer.Deferred()
    inner = defer.Deferred()
    outer.addCallback(lambda r: inner)
    outer.addCallback(tracer(t, "cb (must not run)"))
    outer.addErrback(catcher(t, "outer eb"))
    outer.callback(None)
    inner.errback(Boom("inner failed"))
    inner.addBoth(tracer(t, "inner after"))


@scenario
def nested_deep(t):
    ds = [defer.Deferred() for _ in range(6)]
    for i in range(5):

        def step(r, i=i):
            t.append("d%d cb %s" % (i, fmt(r)))
            return ds[i + 1]

        ds[i].addCallback(step)
    ds[0].addCallback(tracer(t, "d0 end"))
    ds[5].addCallback(tracer(t, "d5 cb"))
    # Fire out of order: the chain resumes only when each link is ready.
    ds[2].callback("c")
    ds[0].callback("a")
    ds[4].callback("e")
    ds[1].callback("b")
    t.append("before d3")
    ds[3].callback("d")
    t.append("before d5")
    ds[5].callback("f")


@scenario
def chain_deferred(t):
    d1 = defer.Deferred()
    d2 = defer.Deferred()
    d1.addCallback(tracer(t, "d1 cb"))
    d1.chainDeferred(d2)
    d1.addCallback(tracer(t, "d1 after chain"))
    d2.addCallback(tracer(t, "d2 cb"))
    d1.callback("v")
    d3 = defer.Deferred()
    d4 = defer.Deferred()
    d3.chainDeferred(d4)
    d3.addBoth(tracer(t, "d3 after chain"))
    d4.addErrback(catcher(t, "d4 eb"))
    d3.errback(Boom("chained"))


# --- pause / unpause ------------------------------------------------------------------------


@scenario
def pause_unpause(t):
    d = defer.Deferred()
    d.pause()
    d.addCallback(tracer(t, "cb1"))
    d.callback(1)
    t.append("fired while paused")
    d.addCallback(tracer(t, "cb2"))
    t.append("unpausing")
    d.unpause()
    t.append("end")


@scenario
def pause_twice(t):
    d = defer.Deferred()
    d.pause()
    d.pause()
    d.addCallback(tracer(t, "cb"))
    d.callback("x")
    d.unpause()
    t.append("unpaused once")
    d.unpause()
    t.append("unpaused twice")


@scenario
def pause_inside_callback(t):
    d = defer.Deferred()

    def cb1(r):
        t.append("cb1 pauses")
        d.pause()
        return r + 1

    d.addCallback(cb1)
    d.addCallback(tracer(t, "cb2"))
    d.callback(1)
    t.append("after callback")
    d.unpause()
    t.append("after unpause")


# --- cancellation ---------------------------------------------------------------------------


@scenario
def cancel_without_canceller(t):
    d = defer.Deferred()
    d.addErrback(catcher(t, "eb"))
    d.cancel()
    attempt(t, "late callback", d.callback, "late")
    attempt(t, "second late callback", d.callback, "later")


@scenario
def cancel_canceller_fires(t):
    def canceller(d):
        t.append("canceller")
        d.callback("from canceller")

    d = defer.Deferred(canceller)
    d.addBoth(tracer(t, "both"))
    d.cancel()
    attempt(t, "late callback", d.callback, "late")


@scenario
def cancel_canceller_silent(t):
    def canceller(d):
        t.append("canceller does nothing")

    d = defer.Deferred(canceller)
    d.addErrback(catcher(t, "eb"))
    d.cancel()
    attempt(t, "late callback", d.callback, "late")


@scenario
def cancel_waiting_on_inner(t):
    def inner_canceller(d):
        t.append("inner canceller")

    inner = defer.Deferred(inner_canceller)
    outer = defer.Deferred()
    outer.addCallback(lambda r: inner)
    outer.addCallback(tracer(t, "outer cb (must not run)"))
    outer.addErrback(catcher(t, "outer eb"))
    outer.callback(None)
    outer.cancel()
    attempt(t, "cancel again", outer.cancel)


@scenario
def cancel_after_fire(t):
    d = defer.succeed("done")
    d.cancel()
    d.addCallback(tracer(t, "cb"))


@scenario
def add_timeout(t):
    clock = task.Clock()
    d1 = defer.Deferred()
    d1.addTimeout(5, clock)
    d1.addErrback(catcher(t, "d1 eb"))
    clock.advance(4)
    t.append("at 4")
    clock.advance(1)
    d2 = defer.Deferred()
    d2.addTimeout(5, clock)
    d2.addCallback(tracer(t, "d2 cb"))
    clock.advance(1)
    d2.callback("in time")
    t.append("pending calls " + fmt(len(clock.getDelayedCalls())))


# --- DeferredList / gatherResults -----------------------------------------------------------


@scenario
def deferred_list_basic(t):
    ds = [defer.Deferred() for _ in range(3)]
    dl = defer.DeferredList(ds, consumeErrors=True)
    dl.addCallback(tracer(t, "list"))
    ds[2].callback("c")
    ds[0].errback(Boom("a"))
    t.append("two fired")
    ds[1].callback("b")
    ds[0].addBoth(tracer(t, "member 0 after"))
    t.append("empty " + fmt(defer.DeferredList([]).result))


@scenario
def deferred_list_fire_on_one_callback(t):
    ds = [defer.Deferred() for _ in range(3)]
    dl = defer.DeferredList(ds, fireOnOneCallback=True)
    dl.addCallback(tracer(t, "list"))
    ds[0].errback(Boom("ignored"))
    ds[0].addErrback(catcher(t, "member 0"))
    ds[1].callback("x")
    ds[2].callback("y")
    t.append("end")


@scenario
def deferred_list_fire_on_one_errback(t):
    ds = [defer.Deferred() for _ in range(3)]
    dl = defer.DeferredList(ds, fireOnOneErrback=True, consumeErrors=True)
    dl.addCallbacks(tracer(t, "list cb (must not run)"), catcher(t, "list eb"))
    ds[0].callback("ok")
    ds[2].errback(Boom("e2"))
    ds[1].errback(Boom("e1"))
    t.append("end")


@scenario
def deferred_list_consume_errors(t):
    for consume in (False, True):
        d = defer.Deferred()
        defer.DeferredList([d], consumeErrors=consume)
        d.errback(Boom("c"))
        d.addBoth(catcher(t, "consume=" + fmt(consume) + " member sees"))


@scenario
def gather_results(t):
    d2 = defer.Deferred()
    g = defer.gatherResults([defer.succeed(1), d2])
    g.addCallback(tracer(t, "gathered"))
    d2.callback(2)
    a = defer.Deferred()
    b = defer.Deferred()
    g2 = defer.gatherResults([a, b], consumeErrors=True)
    g2.addErrback(catcher(t, "gather eb"))
    b.errback(Boom("b"))
    a.callback("a")
    b.addBoth(tracer(t, "b after"))


# --- inlineCallbacks ------------------------------------------------------------------------


@scenario
def inline_callbacks_basic(t):
    later = defer.Deferred()

    @defer.inlineCallbacks
    def gen(a):
        t.append("start " + fmt(a))
        x = yield defer.succeed(a + 1)
        t.append("got " + fmt(x))
        y = yield later
        t.append("got " + fmt(y))
        z = yield 7
        t.append("got plain " + fmt(z))
        return x + y + z

    r = gen(1)
    r.addCallback(tracer(t, "result"))
    t.append("before fire")
    later.callback(10)
    t.append("end")


@scenario
def inline_callbacks_errors(t):
    later = defer.Deferred()

    @defer.inlineCallbacks
    def gen():
        try:
            yield defer.fail(Boom("first"))
        except Boom as e:
            t.append("caught " + fmt(e))
        try:
            yield later
        except Boom as e:
            t.append("caught " + fmt(e))
        raise Boom("escaped")

    r = gen()
    r.addErrback(catcher(t, "result eb"))
    later.errback(Boom("second"))


@scenario
def inline_callbacks_cancel(t):
    waiting = defer.Deferred()

    @defer.inlineCallbacks
    def gen():
        try:
            yield waiting
        except defer.CancelledError:
            t.append("generator saw CancelledError")
            return "cleaned up"

    r = gen()
    r.addBoth(tracer(t, "result"))
    r.cancel()
    t.append("end")


# --- DeferredQueue / DeferredLock / DeferredSemaphore -----------------------------------------


@scenario
def deferred_queue(t):
    q = defer.DeferredQueue(size=2, backlog=1)
    q.get().addCallback(tracer(t, "get1"))
    q.put("a")
    q.put("b")
    q.put("c")
    attempt(t, "put d", q.put, "d")
    q.get().addCallback(tracer(t, "get2"))
    q.get().addCallback(tracer(t, "get3"))
    pending = q.get()
    pending.addBoth(catcher(t, "get4"))
    attempt(t, "get5", q.get)
    pending.cancel()
    q.put("e")
    q.get().addCallback(tracer(t, "get6"))


@scenario
def deferred_lock(t):
    lock = defer.DeferredLock()
    lock.acquire().addCallback(lambda l: t.append("a1 locked=" + fmt(l.locked)))
    a2 = lock.acquire()
    a2.addCallback(lambda l: t.append("a2 acquired"))
    a3 = lock.acquire()
    a3.addErrback(catcher(t, "a3"))
    a3.cancel()
    gate = defer.Deferred()

    def work(x):
        t.append("run work " + fmt(x))
        return gate

    lock.run(work, 5).addCallback(tracer(t, "run result"))
    t.append("release 1")
    lock.release()
    t.append("release 2")
    lock.release()
    t.append("locked " + fmt(lock.locked))
    gate.callback("gated")
    t.append("locked " + fmt(lock.locked))


@scenario
def deferred_semaphore(t):
    sem = defer.DeferredSemaphore(2)
    for i in range(4):
        sem.acquire().addCallback(lambda s, i=i: t.append("acq%d tokens=%d" % (i, s.tokens)))
    t.append("tokens " + fmt(sem.tokens))
    sem.release()
    sem.release()
    t.append("tokens " + fmt(sem.tokens))
    sem.release()
    sem.release()
    t.append("tokens " + fmt(sem.tokens))
    sem.run(lambda: defer.fail(Boom("in run"))).addErrback(catcher(t, "run eb"))
    t.append("tokens " + fmt(sem.tokens))


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


def main(names):
    out = {}
    for name, f in SCENARIOS.items():
        if names and name not in names:
            continue
        t = []
        try:
            f(t)
        except BaseException as e:  # noqa: B902 - the trace records it; the twin must match
            t.append("EXCEPTION " + fmt_exc(e))
        out[name] = t
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
