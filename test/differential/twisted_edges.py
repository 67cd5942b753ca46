"""
Differential scenarios, Twisted side: edge cases of the callback loop (re-entrancy, pausing
while waiting, deep nesting, long inlineCallbacks loops) and of cancellation and timeouts in
the helpers. Twins of scenarios-edges.ts.
"""

from twisted.internet import defer, task

from twisted_trace import Boom, catcher, fmt, scenario, tracer


@scenario
def add_callback_during_run(t):
    d = defer.Deferred()

    def cb1(r):
        t.append("cb1 " + fmt(r))
        d.addCallback(tracer(t, "added inside"))
        t.append("cb1 end")
        return r + 1

    d.addCallback(cb1)
    d.addCallback(tracer(t, "cb2"))
    d.callback(1)
    t.append("end")


@scenario
def callback_fires_other(t):
    d1 = defer.Deferred()
    d2 = defer.Deferred()
    d3 = defer.Deferred()

    def fire_d2(r):
        t.append("d1 cb fires d2")
        d2.callback(r + "2")
        t.append("d1 cb after d2")
        return r

    def fire_d3(r):
        t.append("d2 cb fires d3")
        d3.callback(r + "3")
        return r

    d1.addCallback(fire_d2)
    d1.addCallback(tracer(t, "d1 next"))
    d2.addCallback(fire_d3)
    d2.addCallback(tracer(t, "d2 next"))
    d3.addCallback(tracer(t, "d3 cb"))
    d1.callback("x")


@scenario
def pause_while_waiting_on_inner(t):
    outer = defer.Deferred()
    inner = defer.Deferred()
    outer.addCallback(lambda r: inner)
    outer.addCallback(tracer(t, "outer cb"))
    outer.callback(None)
    outer.pause()
    inner.callback(5)
    t.append("inner fired while outer paused")
    outer.unpause()
    t.append("end")


@scenario
def deep_nesting(t):
    n = 3000
    ds = [defer.Deferred() for _ in range(n)]
    for i in range(n - 1):
        ds[i].addCallback(lambda r, i=i: ds[i + 1])
    ds[0].addCallback(tracer(t, "d0 end"))
    for i in range(n - 1):
        ds[i].callback(i)
    t.append("all but last fired")
    ds[n - 1].callback("last")
    t.append("end")


@scenario
def inline_callbacks_long_loop(t):
    @defer.inlineCallbacks
    def gen():
        total = 0
        for i in range(5000):
            total += yield defer.succeed(i)
        return total

    gen().addCallback(tracer(t, "total"))


@scenario
def deferred_list_all_fail_fire_on_one_callback(t):
    ds = [defer.Deferred() for _ in range(2)]
    dl = defer.DeferredList(ds, fireOnOneCallback=True, consumeErrors=True)
    dl.addCallback(tracer(t, "list"))
    ds[1].errback(Boom("one"))
    ds[0].errback(Boom("zero"))
    t.append("end")


@scenario
def deferred_list_cancel(t):
    d1 = defer.Deferred(lambda d: t.append("d1 canceller"))
    d2 = defer.Deferred()
    dl = defer.DeferredList([d1, d2], consumeErrors=True)
    dl.addCallback(tracer(t, "list"))
    d2.callback("two")
    dl.cancel()
    t.append("end")


@scenario
def semaphore_cancel_acquire(t):
    sem = defer.DeferredSemaphore(1)
    sem.acquire().addCallback(lambda s: t.append("a1 tokens=" + fmt(s.tokens)))
    a2 = sem.acquire()
    a2.addErrback(catcher(t, "a2"))
    a2.cancel()
    sem.release()
    t.append("tokens " + fmt(sem.tokens))
    sem.acquire().addCallback(lambda s: t.append("a3 tokens=" + fmt(s.tokens)))


@scenario
def timeout_custom_handler(t):
    clock = task.Clock()
    d = defer.Deferred()
    d.addTimeout(2, clock, onTimeoutCancel=lambda result, timeout: "timed out after " + fmt(timeout))
    d.addCallback(tracer(t, "cb"))
    clock.advance(2)
    attempt_late = []
    try:
        d.callback("late")
        attempt_late.append("ok")
    except defer.AlreadyCalledError:
        attempt_late.append("AlreadyCalledError")
    t.append("late callback " + attempt_late[0])


@scenario
def errback_returns_deferred(t):
    d = defer.Deferred()
    later = defer.Deferred()

    def eb(f):
        t.append("eb " + fmt(f))
        return later

    d.addErrback(eb)
    d.addCallback(tracer(t, "cb after eb"))
    d.errback(Boom("x"))
    t.append("waiting")
    later.callback("recovered later")


@scenario
def errback_raises(t):
    d = defer.Deferred()

    def cb(r):
        raise Boom("one")

    def eb(f):
        t.append("eb " + fmt(f))
        raise Boom("two")

    d.addCallback(cb)
    d.addErrback(eb)
    d.addErrback(catcher(t, "eb2"))
    d.callback(None)
