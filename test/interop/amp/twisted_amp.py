"""
The Twisted side of the AMP interop suite (amp-interop.test.ts).

The same Commands as test/protocols/amp/commands.ts and test/interop/amp/commands.ts, defined
with twisted.protocols.amp, and the same scenario as scenario.ts.

    twisted_amp.py server         listen on 127.0.0.1 port 0, print "PORT <n>", serve until stdin closes
    twisted_amp.py client <port>  run the scenario against <port>, print its trace as JSON
    twisted_amp.py selftest       run the scenario against an in-process Twisted server (the reference trace)

Exits with status 3 when Twisted cannot be imported (as test/differential/twisted_scenarios.py).
"""
import datetime
import decimal
import hashlib
import json
import sys

try:
    from twisted.internet import defer, protocol, reactor, stdio
    from twisted.internet.error import ConnectionDone
    from twisted.protocols import amp
except ImportError:
    sys.exit(3)


class ZeroDivision(Exception):
    pass


class Boom(Exception):
    pass


class Sum(amp.Command):
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Divide(amp.Command):
    arguments = [(b"numerator", amp.Integer()), (b"denominator", amp.Integer())]
    response = [(b"result", amp.Float())]
    errors = {ZeroDivision: b"ZERO_DIVISION"}


class Explode(amp.Command):
    arguments = [(b"how", amp.Unicode())]
    response = []
    fatalErrors = {Boom: b"BOOM"}


class Notify(amp.Command):
    arguments = [(b"note", amp.Unicode())]
    response = []
    requiresAnswer = False


class Notes(amp.Command):
    arguments = []
    response = [(b"notes", amp.ListOf(amp.Unicode()))]


class Missing(amp.Command):
    arguments = [(b"x", amp.Integer())]
    response = []


EVERYTHING = [
    (b"i", amp.Integer()),
    (b"big", amp.Integer()),
    (b"s", amp.String()),
    (b"fl", amp.Float()),
    (b"b", amp.Boolean()),
    (b"u", amp.Unicode()),
    (b"l", amp.ListOf(amp.Integer())),
    (b"lu", amp.ListOf(amp.Unicode())),
    (b"al", amp.AmpList([(b"x", amp.Integer()), (b"y", amp.Unicode(optional=True))])),
    (b"dt", amp.DateTime()),
    (b"d", amp.Decimal()),
    (b"opt", amp.Integer(optional=True)),
]


class EchoAll(amp.Command):
    arguments = EVERYTHING
    response = EVERYTHING


class Floats(amp.Command):
    arguments = [(b"xs", amp.ListOf(amp.Float()))]
    response = [(b"xs", amp.ListOf(amp.Float())), (b"reprs", amp.ListOf(amp.Unicode()))]


class Blob(amp.Command):
    arguments = [(b"data", amp.String())]
    response = [(b"data", amp.String())]


LONG = b"k" * 255


class LongKey(amp.Command):
    arguments = [(LONG, amp.String())]
    response = [(LONG, amp.String())]


class Server(amp.AMP):
    def __init__(self):
        amp.AMP.__init__(self)
        self.notes = []

    @Sum.responder
    def sum(self, a, b):
        return {"total": a + b}

    @Divide.responder
    def divide(self, numerator, denominator):
        if denominator == 0:
            raise ZeroDivision("division by zero")
        return {"result": numerator / denominator}

    @Explode.responder
    def explode(self, how):
        if how == "fatal":
            raise Boom("boom!")
        if how == "undeclared":
            raise RuntimeError("not declared")
        return {}

    @Notify.responder
    def notify(self, note):
        self.notes.append(note)
        return {}

    @Notes.responder
    def get_notes(self):
        return {"notes": self.notes}

    @EchoAll.responder
    def echo_all(self, **kw):
        return kw

    @Floats.responder
    def floats(self, xs):
        return {"xs": xs, "reprs": [repr(x) for x in xs]}

    @Blob.responder
    def blob(self, data):
        return {"data": data[::-1]}

    @LongKey.responder
    def long_key(self, **kw):
        return kw


# ---- the scenario (scenario.ts is its twin) ---------------------------------------------------

SAFE = 2**53 - 1


def canon(v):
    """The trace form of a decoded value; scenario.ts's canon() writes the same JSON."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if -SAFE <= v <= SAFE else str(v)
    if isinstance(v, float):
        return "f:" + repr(v)
    if isinstance(v, bytes):
        return "hex:" + v.hex()
    if isinstance(v, str):
        return v
    if isinstance(v, datetime.datetime):
        return "dt:" + amp.DateTime().toString(v).decode("ascii")
    if isinstance(v, decimal.Decimal):
        return "dec:" + str(v)
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items() if x is not None}
    raise TypeError(repr(v))


def dumps(v):
    return json.dumps(canon(v), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def describe_error(e):
    if isinstance(e, amp.UnhandledCommand):
        return "error UnhandledCommand " + e.args[1]
    if isinstance(e, amp.UnknownRemoteError):
        return "error UnknownRemoteError " + e.description
    if isinstance(e, amp.TooLong):
        return "error TooLong"
    if isinstance(e, ConnectionDone):
        return "error ConnectionDone"
    return "error %s %s" % (type(e).__name__, e)


def tz(sign, h, m):
    return amp._FixedOffsetTZInfo.fromSignHoursMinutes(sign, h, m)


ECHO_1 = dict(
    i=-42,
    big=2**100,
    s=bytes([0, 1, 2, 255]),
    fl=0.1,
    b=True,
    u="h\u00e9llo \u2603 \U0001F600",
    l=[1, 2, 3],
    lu=["", "two", "drei"],
    al=[{"x": 1, "y": "one"}, {"x": 2}],
    dt=datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=tz("-", 5, 30)),
    d=decimal.Decimal("-1.50E+3"),
)
ECHO_2 = dict(
    i=9007199254740991,
    big=-(10**40),
    s=b"",
    fl=float("-inf"),
    b=False,
    u="\ufeffBOM",
    l=[],
    lu=[],
    al=[],
    dt=datetime.datetime(1, 1, 1, 0, 0, 0, 0, tzinfo=tz("+", 23, 59)),
    d=decimal.Decimal("NaN"),
    opt=0,
)
ECHO_3 = dict(
    i=0,
    big=0,
    s=bytes(range(256)),
    fl=5e-324,
    b=True,
    u='\x00\n\t"\\\u2028\x7f',
    l=[-1, 0, 9007199254740991],
    lu=["\U0010FFFF"],
    al=[{"x": 0, "y": ""}],
    dt=datetime.datetime(2000, 1, 1, 12, 0, 0, 999999, tzinfo=amp.utc),
    d=decimal.Decimal("0E-7"),
)
FLOATS = [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 1e-05, 0.0001, 1.5e-05, 5e-324, 1.7976931348623157e308,
          float("inf"), float("-inf"), float("nan"), 123456789.123, 2.0**53, 1 / 3, 100.0, -2.5e-300]


def blob_data(n):
    return bytes((i * 7) & 0xFF for i in range(n))


class Client(amp.AMP):
    def connectionMade(self):
        amp.AMP.connectionMade(self)
        self.lost = defer.Deferred()

    def connectionLost(self, reason):
        amp.AMP.connectionLost(self, reason)
        self.lost.callback(reason.type.__name__)


@defer.inlineCallbacks
def call(p, command, **kw):
    try:
        result = yield p.callRemote(command, **kw)
    except Exception as e:
        return describe_error(e)
    return dumps(result)


@defer.inlineCallbacks
def scenario(port):
    trace = []
    creator = protocol.ClientCreator(reactor, Client)
    p = yield creator.connectTCP("127.0.0.1", port)
    trace.append("Sum " + (yield call(p, Sum, a=1, b=2)))
    trace.append("EchoAll " + (yield call(p, EchoAll, **ECHO_1)))
    trace.append("EchoAll " + (yield call(p, EchoAll, **ECHO_2)))
    trace.append("EchoAll " + (yield call(p, EchoAll, **ECHO_3)))
    trace.append("Floats " + (yield call(p, Floats, xs=FLOATS)))
    trace.append("Divide " + (yield call(p, Divide, numerator=7, denominator=2)))
    trace.append("Divide " + (yield call(p, Divide, numerator=1, denominator=0)))
    trace.append("Missing " + (yield call(p, Missing, x=1)))
    blob = yield call(p, Blob, data=blob_data(65535))
    expected = dumps({"data": blob_data(65535)[::-1]})
    trace.append("Blob 65535 " + ("reversed" if blob == expected else blob[:200]))
    trace.append("Blob 65536 " + (yield call(p, Blob, data=blob_data(65536))))
    echoed = yield call(p, LongKey, **{LONG.decode(): b"v" * 65535})
    trace.append("LongKey " + ("echoed" if echoed == dumps({LONG.decode(): b"v" * 65535}) else echoed[:200]))
    p.callRemote(Notify, note="a")
    p.callRemote(Notify, note="b \u2603")
    trace.append("Notes " + (yield call(p, Notes)))
    calls = [p.callRemote(Sum, a=i, b=i * i) for i in range(1000)]
    results = yield defer.gatherResults(calls)
    ok = all(r["total"] == i + i * i for i, r in enumerate(results))
    trace.append("Concurrent %d %s" % (len(results), "in order" if ok else "WRONG"))
    p.transport.loseConnection()
    trace.append("lost " + (yield p.lost))

    p = yield creator.connectTCP("127.0.0.1", port)
    trace.append("Explode " + (yield call(p, Explode, how="undeclared")))
    trace.append("lost " + (yield p.lost))
    trace.append("Sum " + (yield call(p, Sum, a=1, b=1)))

    p = yield creator.connectTCP("127.0.0.1", port)
    trace.append("Explode " + (yield call(p, Explode, how="fatal")))
    trace.append("lost " + (yield p.lost))
    return trace


# ---- modes ------------------------------------------------------------------------------------


class StdinWatcher(protocol.Protocol):
    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


def listen():
    return reactor.listenTCP(0, protocol.Factory.forProtocol(Server), interface="127.0.0.1")


def run_client(port_number):
    out = {}

    def finish(result):
        out["trace"] = result
        reactor.stop()

    def failed(f):
        out["error"] = f.getTraceback()
        reactor.stop()

    reactor.callWhenRunning(lambda: scenario(port_number).addCallbacks(finish, failed))
    reactor.run()
    if "error" in out:
        sys.stderr.write(out["error"])
        sys.exit(1)
    json.dump(out["trace"], sys.stdout, ensure_ascii=False)


def main(argv):
    mode = argv[0] if argv else ""
    if mode == "server":
        port = listen()
        sys.stdout.write("PORT %d\n" % port.getHost().port)
        sys.stdout.flush()
        stdio.StandardIO(StdinWatcher())
        reactor.run()
    elif mode == "client":
        run_client(int(argv[1]))
    elif mode == "selftest":
        run_client(listen().getHost().port)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
