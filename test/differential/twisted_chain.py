"""
Differential scenarios, Twisted side: callback chains, nesting, pause and cancellation.
Twins of scenarios-chain.ts.
"""

from twisted.internet import defer, task
from twisted.python.failure import Failure

from twisted_trace import Boom, attempt, catcher, fmt, scenario, tracer

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
