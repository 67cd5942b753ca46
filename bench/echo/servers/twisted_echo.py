"""The Twisted echo server, written as a Twisted user would: epoll reactor, a Protocol
whose dataReceived writes the data back, listenTCP on 127.0.0.1.

    python3 bench/echo/servers/twisted_echo.py [port]

Prints "listening <port>" once bound; exits when stdin closes (the harness holds it).
"""
import sys

# The reactor must be chosen before anything imports twisted.internet.reactor.
from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import reactor  # noqa: E402
from twisted.internet.protocol import Factory, Protocol  # noqa: E402


class Echo(Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class StdinWatcher(Protocol):
    """Stops the reactor when the harness closes our stdin (or dies)."""

    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    listening = reactor.listenTCP(port, Factory.forProtocol(Echo), interface="127.0.0.1")
    sys.stdout.write("listening %d\n" % listening.getHost().port)
    sys.stdout.flush()
    from twisted.internet import stdio

    stdio.StandardIO(StdinWatcher())
    reactor.run()


if __name__ == "__main__":
    main()
