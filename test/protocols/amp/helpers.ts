// Runs a test body with a connected pair of AMP protocols on a fresh reactor.
import { ConnectionDone, Deferred, Failure, type AMP, type Bytes, type IStreamTransport, type Port, type Reactor } from '../../../src/index';
import { newReactor, runReactor, type Variant } from '../../support/reactors';
import { connect, listen, TestClientFactory, TestServerFactory, type FamilyName } from '../../support/streams';
import { InertTransportSurface } from '../../support/fake-transport';

export interface AmpPair<S extends AMP, C extends AMP> {
  reactor: Reactor;
  server: S;
  client: C;
  port: Port;
  /** Resolves when both sides have lost the connection. */
  bothLost: Promise<void>;
}

/** Resolves after `seconds` on `reactor`'s clock. */
export function sleep(reactor: Reactor, seconds: number): Promise<void> {
  return new Promise((resolve) => reactor.callLater(seconds, resolve));
}

/** Calls `make`'s protocol `hook` (connectionMade/connectionLost) and then resolves. */
function hooked<P extends AMP>(p: P, hook: 'connectionMade' | 'connectionLost', d: Deferred<void>): P {
  const original = p[hook].bind(p) as (...args: unknown[]) => void;
  (p as unknown as Record<string, unknown>)[hook] = (...args: unknown[]) => {
    original(...args);
    if (!d.called) d.callback(undefined);
  };
  return p;
}

/**
 * Listens with `makeServer`'s protocols, connects one `makeClient` protocol, waits for both
 * to be connected and runs `body`; then closes the connection (if the body did not) and the
 * port, and waits for both ends to be told.
 */
export async function withPair<S extends AMP, C extends AMP>(
  variant: Variant,
  family: FamilyName,
  makeServer: () => S,
  makeClient: () => C,
  body: (pair: AmpPair<S, C>) => Promise<void>,
  timeoutSeconds = 15,
): Promise<void> {
  const reactor = newReactor(variant);
  await runReactor(
    reactor,
    (done, fail) => {
      const serverMade = new Deferred<void>();
      const clientMade = new Deferred<void>();
      const serverLost = new Deferred<void>();
      const clientLost = new Deferred<void>();
      let server!: S;
      let client!: C;
      const port = listen(
        reactor,
        family,
        new TestServerFactory(() => (server = hooked(hooked(makeServer(), 'connectionMade', serverMade), 'connectionLost', serverLost))),
      );
      connect(
        reactor,
        family,
        port,
        new TestClientFactory(() => (client = hooked(hooked(makeClient(), 'connectionMade', clientMade), 'connectionLost', clientLost)), fail),
      );
      (async () => {
        await serverMade;
        await clientMade;
        const bothLost = Promise.all([serverLost.asPromise(), clientLost.asPromise()]).then(() => undefined);
        try {
          await body({ reactor, server, client, port, bothLost });
        } finally {
          if (client.connected) client.transport.loseConnection();
          await bothLost;
          await port.stopListening();
        }
      })().then(done, fail);
    },
    timeoutSeconds,
  );
}

/**
 * A transport that hands written bytes to another protocol on a later microtask. It stands for
 * a Protocol's transport (an IStreamTransport); nothing is buffered, so the producer and
 * consumer side does nothing.
 */
class LoopbackTransport extends InertTransportSurface implements IStreamTransport {
  peer!: LoopbackTransport;
  protocol!: AMP;
  written: Buffer[] = [];
  closed = false;
  disconnecting = false;
  highWaterMark = 65536;
  readonly bufferedAmount = 0;
  get connected(): boolean {
    return !this.closed;
  }
  write(data: Bytes): void {
    if (this.closed) return;
    const bytes = Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.written.push(bytes);
    const target = this.peer;
    queueMicrotask(() => {
      if (!target.closed) target.protocol.dataReceived(Buffer.from(bytes));
    });
  }
  writeSequence(data: Iterable<Bytes>): void {
    for (const d of data) this.write(d);
  }
  loseConnection(): void {
    if (this.closed) return;
    this.disconnecting = true;
    queueMicrotask(() => {
      for (const t of [this, this.peer]) {
        if (t.closed) continue;
        t.closed = true;
        t.protocol.connected = false;
        t.protocol.connectionLost(new Failure(new ConnectionDone()));
      }
    });
  }
  abortConnection(): void {
    this.loseConnection();
  }
}

/** Connects two AMP protocols in memory (no reactor): for unit tests of the dispatcher. */
export function loopback<A extends AMP, B extends AMP>(a: A, b: B): { a: A; b: B; wire: { a: Buffer[]; b: Buffer[] } } {
  const ta = new LoopbackTransport();
  const tb = new LoopbackTransport();
  ta.peer = tb;
  tb.peer = ta;
  ta.protocol = a;
  tb.protocol = b;
  a.makeConnection(ta);
  b.makeConnection(tb);
  return { a, b, wire: { a: ta.written, b: tb.written } };
}
