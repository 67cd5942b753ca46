// Families for the stream conformance suites, and small protocols that record what happens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClientFactory, Factory, Protocol, type Connector, type Failure, type Port, type Reactor } from '../../src/index';
import { waitUntil } from './reactors';

export type FamilyName = 'TCP4' | 'TCP6' | 'UNIX';
export const FAMILIES: FamilyName[] = ['TCP4', 'TCP6', 'UNIX'];

let socketDir: string | undefined;
let socketCounter = 0;

/** A fresh UNIX socket path in a private temporary directory. */
export function socketPath(): string {
  socketDir ??= mkdtempSync(path.join(tmpdir(), 'ioreactor-sock-'));
  return path.join(socketDir, `s${process.pid}-${socketCounter++}.sock`);
}

export function removeSocketDir(): void {
  if (socketDir !== undefined) rmSync(socketDir, { recursive: true, force: true });
  socketDir = undefined;
}

/** Listens on the family's loopback address (or a fresh UNIX path). */
export function listen(reactor: Reactor, family: FamilyName, factory: Factory): Port {
  if (family === 'UNIX') return reactor.listenUNIX(socketPath(), factory);
  return reactor.listenTCP(0, factory, { interface: family === 'TCP6' ? '::1' : '127.0.0.1' });
}

/** Connects to a port made by {@link listen}. */
export function connect(reactor: Reactor, family: FamilyName, port: Port, factory: ClientFactory, timeout?: number): Connector {
  const host = port.getHost();
  if (host.type === 'UNIX') return reactor.connectUNIX(host.name!, factory, { timeout });
  return reactor.connectTCP(family === 'TCP6' ? '::1' : '127.0.0.1', host.port, factory, { timeout });
}

/** A protocol that records its events; subclass to act on them. */
export class Recorder extends Protocol {
  readonly chunks: Buffer[] = [];
  lost: Failure | undefined;
  made = false;
  onLost: ((p: Recorder) => void) | undefined;

  override connectionMade(): void {
    this.made = true;
  }
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    this.onLost?.(this);
  }
  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get receivedLength(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }
}

/** A client factory that hands each protocol it builds, or the failure, to callbacks. */
export class TestClientFactory<P extends Protocol> extends ClientFactory<P> {
  failed: Failure | undefined;
  lostReason: Failure | undefined;
  constructor(
    private readonly make: () => P,
    private readonly onFailed?: (reason: Failure) => void,
  ) {
    super();
  }
  override buildProtocol(): P {
    const p = this.make();
    p.factory = this as unknown as Factory;
    return p;
  }
  override clientConnectionFailed(_c: Connector, reason: Failure): void {
    this.failed = reason;
    this.onFailed?.(reason);
  }
  override clientConnectionLost(_c: Connector, reason: Failure): void {
    this.lostReason = reason;
  }
}

/** A server factory that builds protocols with `make` and keeps them. */
export class TestServerFactory<P extends Protocol> extends Factory<P> {
  readonly built: P[] = [];
  started = 0;
  stopped = 0;
  constructor(private readonly make: () => P | null) {
    super();
  }
  override buildProtocol(): P | null {
    const p = this.make();
    if (p !== null) {
      p.factory = this as unknown as Factory;
      this.built.push(p);
    }
    return p;
  }
  override startFactory(): void {
    this.started++;
  }
  override stopFactory(): void {
    this.stopped++;
  }
}

/**
 * For a client's connectionLost: the server's end of the first connection may be lost after the
 * client's, so once it is (bounded by waitUntil), stops listening on `port` and calls `done`.
 */
export function finishOnceServerLost(reactor: Reactor, server: TestServerFactory<Recorder>, port: Port, done: () => void): void {
  waitUntil(
    reactor,
    () => server.built[0]?.lost !== undefined,
    () => {
      void port.stopListening();
      done();
    },
  );
}
