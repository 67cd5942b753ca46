// ClientCreator: cases follow Twisted's twisted/internet/test/test_protocol.py ClientCreatorTests
// (the Twisted test name is in the title where there is one), run against a fake reactor whose
// connectors behave as Twisted's do, plus the late reports a real connector may make.
import { describe, expect, it } from 'vitest';
import type { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { CancelledError } from '../../src/defer/errors';
import { ConnectionAborted, ConnectionRefusedError, UserAbortedConnect } from '../../src/transport/errors';
import { InvalidArgTypeError } from '../../src/errors';
import type { IConnector, IStreamTransport } from '../../src/interfaces/transport';
import type { ClientFactory } from '../../src/protocol/client-factory';
import { ClientCreator, type ConnectingReactor } from '../../src/protocol/client-creator';
import type { ConnectTCPOptions, ConnectUNIXOptions } from '../../src/reactor/stream-endpoints';
import { Protocol } from '../../src/protocol/protocol';
import { Clock } from '../../src/task/clock';
import { IPv4Address, UNIXAddress, type Address } from '../../src/transport/address';
import { InertTransportSurface } from '../support/fake-transport';

/**
 * A transport that records how it was closed and reports the loss as a real one would. It is
 * what a Protocol's transport is (an IStreamTransport); nothing is sent or buffered, so the
 * producer and consumer side does nothing.
 */
class FakeTransport extends InertTransportSurface implements IStreamTransport {
  aborts = 0;
  loses = 0;
  closed = false;
  disconnecting = false;
  highWaterMark = 65536;
  readonly bufferedAmount = 0;
  constructor(
    private readonly connector: FakeConnector,
    private readonly protocol: Protocol,
  ) {
    super();
  }
  get connected(): boolean {
    return !this.closed;
  }
  abortConnection(): void {
    this.aborts++;
    this.disconnecting = true;
    this.close(new ConnectionAborted());
  }
  loseConnection(): void {
    this.loses++;
    this.disconnecting = true;
    this.close(new ConnectionAborted());
  }
  private close(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.protocol.connected = false;
    this.protocol.connectionLost(new Failure(reason));
    this.connector.lost(new Failure(reason));
  }
  write(): void {}
  writeSequence(): void {}
  override getPeer(): Address {
    return this.connector.getDestination();
  }
}

/** A connector with Twisted's behaviour; the test decides when the attempt succeeds or fails. */
class FakeConnector implements IConnector {
  state: 'connecting' | 'connected' | 'disconnected' = 'connecting';
  stops = 0;
  disconnects = 0;
  /** When true, stopConnecting() reports the failure a turn later, as an asynchronous connector might. */
  lateStop = false;
  transport: FakeTransport | undefined;
  refused = false;
  constructor(
    readonly factory: ClientFactory,
    readonly reactor: Clock,
    private readonly destination: Address,
  ) {
    factory.doStart();
    factory.startedConnecting(this);
  }
  stopConnecting(): void {
    this.stops++;
    if (this.state !== 'connecting') throw Object.assign(new Error('not connecting'), { code: 'ERR_IOREACTOR_NOT_CONNECTING' });
    if (this.lateStop) this.reactor.callLater(0, () => this.fail(new UserAbortedConnect()));
    else this.fail(new UserAbortedConnect());
  }
  disconnect(): void {
    this.disconnects++;
    if (this.state === 'connecting') this.stopConnecting();
    else if (this.state === 'connected') this.transport?.loseConnection();
  }
  connect(): void {}
  getDestination(): Address {
    return this.destination;
  }
  /** The socket connected: buildProtocol, then makeConnection (or close if refused). */
  succeed(): Protocol | null {
    const p = this.factory.buildProtocol(this.destination);
    if (p === null) {
      this.refused = true;
      this.state = 'disconnected';
      this.factory.doStop();
      return null;
    }
    this.state = 'connected';
    this.transport = new FakeTransport(this, p);
    p.makeConnection(this.transport);
    return p;
  }
  fail(err: Error): void {
    this.state = 'disconnected';
    this.factory.clientConnectionFailed(this, new Failure(err));
    this.factory.doStop();
  }
  lost(reason: Failure): void {
    this.state = 'disconnected';
    this.factory.clientConnectionLost(this, reason);
    this.factory.doStop();
  }
}

/** A Clock with connectTCP / connectUNIX that record each call (Twisted's MemoryReactorClock). */
class FakeReactor extends Clock implements ConnectingReactor {
  tcpClients: { host: string; port: number; factory: ClientFactory; options?: ConnectTCPOptions; connector: FakeConnector }[] = [];
  unixClients: { path: string; factory: ClientFactory; options?: ConnectUNIXOptions; connector: FakeConnector }[] = [];
  connectTCP(host: string, port: number, factory: ClientFactory, options?: ConnectTCPOptions): IConnector {
    const connector = new FakeConnector(factory, this, new IPv4Address(host, port));
    this.tcpClients.push(arguments.length > 3 ? { host, port, factory, options, connector } : { host, port, factory, connector });
    return connector;
  }
  connectUNIX(path: string, factory: ClientFactory, options?: ConnectUNIXOptions): IConnector {
    const connector = new FakeConnector(factory, this, new UNIXAddress(path));
    this.unixClients.push(arguments.length > 2 ? { path, factory, options, connector } : { path, factory, connector });
    return connector;
  }
  get lastConnector(): FakeConnector {
    return (this.tcpClients.at(-1) ?? this.unixClients.at(-1))!.connector;
  }
}

interface Outcome<T> {
  fired: boolean;
  value?: T;
  failure?: Failure;
}

function settle<T>(d: Deferred<T>): Outcome<T> {
  const o: Outcome<T> = { fired: false };
  d.addCallbacks(
    (v: T) => {
      o.fired = true;
      o.value = v;
    },
    (f: Failure) => {
      o.fired = true;
      o.failure = f;
    },
  );
  return o;
}

class Greeter extends Protocol {
  made: string[] = [];
  lost: Failure[] = [];
  constructor(
    readonly greeting = 'hello',
    readonly times = 1,
  ) {
    super();
  }
  override connectionMade(): void {
    this.made.push(this.greeting.repeat(this.times));
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

const connectors: [string, <A extends unknown[]>(cc: ClientCreator<Greeter, A>) => Deferred<Greeter>][] = [
  ['TCP', (cc) => cc.connectTCP('example.com', 1234)],
  ['UNIX', (cc) => cc.connectUNIX('/foo/bar')],
];

describe('ClientCreator: reactor calls', () => {
  it('test_connectTCP: host, port and options reach reactor.connectTCP; the factory builds the class', () => {
    const reactor = new FakeReactor();
    const cc = new ClientCreator(reactor, Greeter, 'hi', 2);
    const d = cc.connectTCP('example.com', 1234, { timeout: 4321, bindAddress: ['1.2.3.4', 9876] });
    const call = reactor.tcpClients.pop()!;
    expect([call.host, call.port, call.options]).toEqual(['example.com', 1234, { timeout: 4321, bindAddress: ['1.2.3.4', 9876] }]);
    const p = call.factory.buildProtocol(new IPv4Address('1.2.3.4', 1234));
    expect(p).toBeInstanceOf(Greeter);
    expect([(p as Greeter).greeting, (p as Greeter).times]).toEqual(['hi', 2]);
    d.cancel();
    d.addErrback(() => undefined);
    reactor.advance(0);
  });

  it('test_connectUNIX: the path and options reach reactor.connectUNIX; no options means none passed', () => {
    const reactor = new FakeReactor();
    const cc = new ClientCreator(reactor, Greeter);
    const d1 = cc.connectUNIX('/foo/bar', { timeout: 123 });
    const d2 = cc.connectUNIX('/foo/baz');
    expect(reactor.unixClients.map((c) => [c.path, 'options' in c, c.options])).toEqual([
      ['/foo/bar', true, { timeout: 123 }],
      ['/foo/baz', false, undefined],
    ]);
    expect(reactor.unixClients[0].factory.buildProtocol(new UNIXAddress(null))).toBeInstanceOf(Greeter);
    for (const d of [d1, d2]) {
      d.addErrback(() => undefined);
      d.cancel();
    }
  });

  it('an error thrown by the reactor (a bad argument, say) propagates from the connect call', () => {
    const reactor = new FakeReactor();
    reactor.connectTCP = () => {
      throw new InvalidArgTypeError('port must be a number');
    };
    expect(() => new ClientCreator(reactor, Greeter).connectTCP('h', NaN)).toThrow('port must be a number');
  });
});

describe.each(connectors)('ClientCreator over %s', (_name, connect) => {
  it('fires with the instance after makeConnection, on the next reactor turn', () => {
    const reactor = new FakeReactor();
    const d = connect(new ClientCreator(reactor, Greeter, 'hey'));
    const o = settle(d);
    const p = reactor.lastConnector.succeed() as Greeter;
    // buildProtocol + makeConnection have run, but the Deferred waits for callLater(0).
    expect(p.made).toEqual(['hey']);
    expect(o.fired).toBe(false);
    expect(reactor.getDelayedCalls()).toHaveLength(1);
    reactor.advance(0);
    expect(o.value).toBe(p);
    expect(p.transport).toBe(reactor.lastConnector.transport);
    expect(p.connected).toBe(true);
    p.transport.abortConnection();
  });

  it('errbacks with the connection failure', () => {
    const reactor = new FakeReactor();
    const o = settle(connect(new ClientCreator(reactor, Greeter)));
    const refused = new ConnectionRefusedError();
    reactor.lastConnector.fail(refused);
    expect(o.fired).toBe(false);
    reactor.advance(0);
    expect(o.failure?.value).toBe(refused);
    expect(reactor.lastConnector.factory.numPorts).toBe(0);
  });

  it('_cancelConnectTest: cancel while connecting stops the connector and fails with CancelledError', () => {
    const reactor = new FakeReactor();
    const d = connect(new ClientCreator(reactor, Greeter));
    const connector = reactor.lastConnector;
    expect(connector.stops).toBe(0);
    const o = settle(d);
    d.cancel();
    expect(connector.stops).toBe(1);
    expect(connector.state).toBe('disconnected');
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
    // The UserAbortedConnect the stop caused is not scheduled to fire anything.
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it('_cancelConnectTimeoutTest: cancel after connect, before firing, aborts the connection', () => {
    const reactor = new FakeReactor();
    const d = connect(new ClientCreator(reactor, Greeter));
    const o = settle(d);
    const connector = reactor.lastConnector;
    const p = connector.succeed() as Greeter;
    expect(reactor.getDelayedCalls()).toHaveLength(1);
    d.cancel();
    expect(reactor.getDelayedCalls()).toEqual([]);
    expect(connector.transport?.aborts).toBe(1);
    expect(connector.stops).toBe(0);
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
    expect(p.lost.map((f) => f.value)).toEqual([expect.any(ConnectionAborted)]);
    reactor.advance(1);
    expect(o.value).toBeUndefined();
  });

  it('_cancelConnectFailedTimeoutTest: cancel after failure, before firing, fails with CancelledError', () => {
    const reactor = new FakeReactor();
    const d = connect(new ClientCreator(reactor, Greeter));
    const o = settle(d);
    const connector = reactor.lastConnector;
    connector.fail(new Error('Simulated failure'));
    expect(reactor.getDelayedCalls()).toHaveLength(1);
    d.cancel();
    expect(reactor.getDelayedCalls()).toEqual([]);
    expect(connector.stops).toBe(0);
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
  });

  it('cancel after the Deferred fired changes nothing', () => {
    const reactor = new FakeReactor();
    const d = connect(new ClientCreator(reactor, Greeter));
    const p = reactor.lastConnector.succeed() as Greeter;
    reactor.advance(0);
    d.cancel();
    const o = settle(d);
    expect(o.value).toBe(p);
    expect(reactor.lastConnector.transport?.aborts).toBe(0);
    p.transport.abortConnection();
  });
});

describe('ClientCreator: late reports after cancel', () => {
  it('a failure reported after the cancel (asynchronous stop) is ignored', () => {
    const reactor = new FakeReactor();
    const d = new ClientCreator(reactor, Greeter).connectTCP('example.com', 1234);
    const connector = reactor.lastConnector;
    connector.lateStop = true;
    const o = settle(d);
    d.cancel();
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
    reactor.advance(0); // The connector now reports UserAbortedConnect.
    expect(connector.state).toBe('disconnected');
    expect(reactor.getDelayedCalls()).toEqual([]);
    expect(o.failure?.value).toBeInstanceOf(CancelledError);
  });

  it('a connection completed after the cancel is refused: buildProtocol returns null', () => {
    const reactor = new FakeReactor();
    const d = new ClientCreator(reactor, Greeter).connectTCP('example.com', 1234);
    const connector = reactor.lastConnector;
    connector.lateStop = true;
    settle(d);
    d.cancel();
    // The socket connected before the stop took effect.
    expect(connector.succeed()).toBeNull();
    expect(connector.refused).toBe(true);
    expect(reactor.getDelayedCalls()).toHaveLength(1); // only the connector's own late report
    reactor.advance(0);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it('a connection lost before the Deferred fires still delivers the instance, as in Twisted', () => {
    const reactor = new FakeReactor();
    const o = settle(new ClientCreator(reactor, Greeter).connectTCP('example.com', 1234));
    const p = reactor.lastConnector.succeed() as Greeter;
    p.transport.loseConnection();
    reactor.advance(0);
    expect(o.value).toBe(p);
    expect(p.connected).toBe(false);
  });
});

describe('ClientCreator: awaiting and validation', () => {
  it('the Deferred can be awaited', async () => {
    const reactor = new FakeReactor();
    const d = new ClientCreator(reactor, Greeter, 'yo').connectTCP('example.com', 1234);
    reactor.lastConnector.succeed();
    reactor.advance(0);
    const p = await d;
    expect(p.made).toEqual(['yo']);
    p.transport.abortConnection();
  });

  it('the connector told the factory it started, and the factory is stopped when the attempt ends', () => {
    const reactor = new FakeReactor();
    settle(new ClientCreator(reactor, Greeter).connectTCP('example.com', 1234));
    const { factory, connector } = reactor.tcpClients[0];
    expect(factory.numPorts).toBe(1);
    connector.fail(new ConnectionRefusedError());
    expect(factory.numPorts).toBe(0);
    reactor.advance(0);
  });

  it('rejects a reactor without callLater and a protocol class that is not a function', () => {
    expect(() => new ClientCreator({} as never, Greeter)).toThrow(InvalidArgTypeError);
    expect(() => new ClientCreator(null as never, Greeter)).toThrow(InvalidArgTypeError);
    expect(() => new ClientCreator(new FakeReactor(), 'Greeter' as never)).toThrow(InvalidArgTypeError);
  });

  it('a reactor without connectUNIX makes connectUNIX throw a typed error, and builds no protocol', () => {
    let built = 0;
    class Counting extends Protocol {
      constructor() {
        super();
        built++;
      }
    }
    const reactor = new FakeReactor();
    (reactor as { connectUNIX?: unknown }).connectUNIX = undefined;
    expect(() => new ClientCreator(reactor, Counting).connectUNIX('/x')).toThrow(InvalidArgTypeError);
    expect(built).toBe(0);
  });
});
