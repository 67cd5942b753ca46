"""
Interop peer for test/interop/basic: Twisted's own LineReceiver, NetstringReceiver and
Int32StringReceiver, as echo servers or as clients, on 127.0.0.1.

    python3 twisted_basic.py serve     prints {"ports": {kind: port}} as its first stdout line,
                                       echoes every message, and once each kind's connection is
                                       lost prints {"traces": {...}} and exits
    python3 twisted_basic.py connect   reads {"ports": {...}, "messages": {kind: [base64...]}}
                                       from stdin, sends each kind's messages then its bad tail,
                                       and once every connection is lost prints {"traces": {...}}

A trace lists what a side received ("recv <length> <sha1 prefix>"), the refusal callback it
saw, and how the connection ended; test/interop/basic/interop.test.ts compares them with the
traces of ioreactor in the same roles. Exit status 3 means Twisted cannot be imported.
"""

import base64
import hashlib
import json
import sys

sys.dont_write_bytecode = True

try:
    from twisted.internet import protocol, reactor
    from twisted.protocols import basic
except ImportError as e:
    sys.stderr.write("cannot import twisted: %s\n" % (e,))
    sys.exit(3)

KINDS = ("line", "netstring", "int32")

# What each client sends after its messages: over the server's limit, or malformed.
BAD_TAIL = {
    "line": b"x" * 16385 + b"\r\n",
    "netstring": b"100000:",
    "int32": b"\x00\x01\x86\xa0" + b"y" * 10,
}


def describe(data):
    return "recv %d %s" % (len(data), hashlib.sha1(data).hexdigest()[:12])


class Traced:
    """Mixin: records what arrives, the refusal callbacks and the end of the connection."""

    kind = None
    echo = False

    def record(self, data):
        self.factory.traces[self.kind].append(describe(data))
        if self.echo:
            self.send(data)

    def connectionLost(self, reason):
        self.factory.traces[self.kind].append("lost " + reason.type.__name__)
        self.factory.lost(self.kind)


class Line(Traced, basic.LineReceiver):
    kind = "line"

    def lineReceived(self, line):
        self.record(line)

    def send(self, data):
        self.sendLine(data)

    def lineLengthExceeded(self, line):
        self.factory.traces[self.kind].append("exceeded")
        return basic.LineReceiver.lineLengthExceeded(self, line)


class Netstring(Traced, basic.NetstringReceiver):
    kind = "netstring"

    def stringReceived(self, string):
        self.record(string)

    def send(self, data):
        self.sendString(data)

    def _handleParseError(self):
        self.factory.traces[self.kind].append("parse-error")
        basic.NetstringReceiver._handleParseError(self)


class Int32(Traced, basic.Int32StringReceiver):
    kind = "int32"

    def stringReceived(self, string):
        self.record(string)

    def send(self, data):
        self.sendString(data)

    def lengthLimitExceeded(self, length):
        self.factory.traces[self.kind].append("exceeded %d" % (length,))
        basic.Int32StringReceiver.lengthLimitExceeded(self, length)


CLASSES = {"line": Line, "netstring": Netstring, "int32": Int32}


class Traces(protocol.ClientFactory):
    """One factory per kind sharing the traces; stops the reactor once every kind is lost."""

    def __init__(self, kind, shared, echo, messages=None):
        self.kind = kind
        self.traces = shared["traces"]
        self.shared = shared
        self.echo = echo
        self.messages = messages

    def buildProtocol(self, addr):
        p = CLASSES[self.kind]()
        p.factory = self
        p.echo = self.echo
        if self.messages is not None:
            messages = self.messages

            def connectionMade():
                for m in messages:
                    p.send(m)
                p.transport.write(BAD_TAIL[self.kind])

            p.connectionMade = connectionMade
        return p

    def lost(self, kind):
        self.shared["lost"].add(kind)
        if len(self.shared["lost"]) == len(KINDS):
            reactor.callLater(0, finish, self.shared)

    def clientConnectionFailed(self, connector, reason):
        self.traces[self.kind].append("failed " + reason.type.__name__)
        self.lost(self.kind)


def finish(shared):
    sys.stdout.write(json.dumps({"traces": shared["traces"]}) + "\n")
    sys.stdout.flush()
    reactor.stop()


def new_shared():
    return {"traces": {k: [] for k in KINDS}, "lost": set()}


def serve():
    shared = new_shared()
    ports = {}
    for kind in KINDS:
        port = reactor.listenTCP(0, Traces(kind, shared, echo=True), interface="127.0.0.1")
        ports[kind] = port.getHost().port
    sys.stdout.write(json.dumps({"ports": ports}) + "\n")
    sys.stdout.flush()
    reactor.run()


def connect():
    spec = json.loads(sys.stdin.read())
    shared = new_shared()
    for kind in KINDS:
        messages = [base64.b64decode(m) for m in spec["messages"][kind]]
        reactor.connectTCP("127.0.0.1", spec["ports"][kind], Traces(kind, shared, echo=False, messages=messages))
    reactor.run()


if __name__ == "__main__":
    # Never hang a test run: give up after 15 s whatever happens.
    reactor.callLater(15, lambda: (sys.stderr.write("timed out\n"), reactor.stop()))
    {"serve": serve, "connect": connect}[sys.argv[1]]()
