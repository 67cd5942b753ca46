"""
Differential scenarios, Twisted side: DeferredList, gatherResults, inlineCallbacks, queue, lock,
semaphore. Twins of scenarios-collections.ts.
"""

from twisted.internet import defer

from twisted_trace import Boom, attempt, catcher, fmt, scenario, tracer

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
