// What the TLS suites share: the certificates (made once per file), the option sets built from
// them, an echo protocol, a client that sends a payload and checks what comes back, and a
// node:tls client of the STARTTLS dialogue.
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { expect } from 'vitest';
import { ClientFactory, Factory, Protocol, type Failure, type IConnector, type Port } from '../../src/index';
import { makeCertificates, type TestCertificates } from './certificates';

let certificates: TestCertificates | undefined;

export function certs(): TestCertificates {
  certificates ??= makeCertificates();
  return certificates;
}

export const serverOptions = () => ({ key: certs().serverKey, cert: certs().serverCert });
export const clientOptions = () => ({ ca: certs().ca });

export type TCPFamily = 'TCP4' | 'TCP6';
export const TCP_FAMILIES: TCPFamily[] = ['TCP4', 'TCP6'];
export const loopback = (family: TCPFamily): string => (family === 'TCP6' ? '::1' : '127.0.0.1');

export function sha256(data: Buffer | Buffer[]): string {
  const h = createHash('sha256');
  for (const chunk of Array.isArray(data) ? data : [data]) h.update(chunk);
  return h.digest('hex');
}

export function payload(bytes: number): { data: Buffer; digest: string } {
  const data = randomBytes(bytes);
  return { data, digest: sha256(data) };
}

export class Echo extends Protocol {
  lost: Failure | undefined;
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

/** Writes `data` once connected, and closes once as many bytes came back. */
export class Sender extends Protocol {
  readonly chunks: Buffer[] = [];
  received = 0;
  lost: Failure | undefined;
  constructor(
    private readonly data: Buffer,
    private readonly onLost: (p: Sender) => void,
  ) {
    super();
  }
  override connectionMade(): void {
    this.transport.write(this.data);
  }
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
    this.received += data.length;
    if (this.received >= this.data.length) this.transport.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    this.onLost(this);
  }
}

export function factoryOf(make: () => Protocol): Factory {
  const f = new Factory();
  f.buildProtocol = () => make();
  return f;
}

/** A client factory recording how its one connection went. */
export class RecordingClientFactory extends ClientFactory {
  failed: Failure | undefined;
  lost: Failure | undefined;
  constructor(
    private readonly make: () => Protocol,
    private readonly onEnd: () => void,
  ) {
    super();
  }
  override buildProtocol(): Protocol {
    return this.make();
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.failed = reason;
    this.onEnd();
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.lost = reason;
    this.onEnd();
  }
}

/** The TCP port a listening port got. */
export function portOf(port: Port): number {
  const host = port.getHost();
  if (host.type !== 'TCP') throw new Error(`not a TCP port: ${String(host)}`);
  return host.port;
}

/**
 * A node:net client of the STARTTLS dialogue the suites' servers speak: sends "STARTTLS", and on
 * "READY" upgrades with tls.connect (verifying the server as localhost), writes `data` and ends
 * once `expected` bytes came back. `closed` gets what came back and the client's error, if any,
 * when the TLS socket closes.
 */
export function startTLSNodeClient(port: number, host: string, data: Buffer, expected: number, closed: (received: Buffer[], error: unknown) => void): void {
  const received: Buffer[] = [];
  let error: unknown;
  const plain = net.connect(port, host, () => plain.write('STARTTLS\n'));
  plain.once('data', (line: Buffer) => {
    expect(line.toString()).toBe('READY\n');
    plain.pause();
    const secure = tls.connect({ socket: plain, ...clientOptions(), servername: 'localhost' }, () => secure.write(data));
    let total = 0;
    secure.on('data', (chunk: Buffer) => {
      received.push(chunk);
      total += chunk.length;
      if (total >= expected) secure.end();
    });
    secure.on('error', (err) => (error = err));
    secure.on('close', () => closed(received, error));
  });
}
