// Many connections at once, and running out of descriptors while accepting. The echo server
// runs in a child process so that this process has its own descriptor budget for clients.
import { describe, expect, it } from 'vitest';
import { ClientFactory, Protocol, type Failure, type Reactor } from '../../src/index';
import { startChildServer } from '../support/child-server';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { FAMILIES, type FamilyName } from '../support/streams';

const CONNECTIONS = 10_000;
// Connections not yet echoed, at most: a UNIX connect completes as soon as it is queued in the
// server's backlog, and a full UNIX backlog refuses (EAGAIN) where TCP would retry.
const WINDOW = 500;

function connectTo(reactor: Reactor, family: FamilyName, address: number | string, factory: ClientFactory): void {
  if (typeof address === 'string') reactor.connectUNIX(address, factory, { timeout: 20 });
  else reactor.connectTCP(family === 'TCP6' ? '::1' : '127.0.0.1', address, factory, { timeout: 20 });
}

class Verifier extends Protocol {
  private received = 0;
  constructor(
    private readonly expected: Buffer,
    private readonly onVerified: (ok: boolean) => void,
    private readonly onLost: (reason: Failure) => void,
  ) {
    super();
  }
  override connectionMade(): void {
    this.transport.write(this.expected);
  }
  override dataReceived(data: Buffer): void {
    const ok = data.equals(this.expected.subarray(this.received, this.received + data.length));
    this.received += data.length;
    if (!ok) this.onVerified(false);
    else if (this.received === this.expected.length) this.onVerified(true);
  }
  override connectionLost(reason: Failure): void {
    this.onLost(reason);
  }
}

const cases = VARIANTS.flatMap((v) => FAMILIES.map((family) => ({ ...v, family, label: `${v.name} ${family}` })));

describe.each(cases)('scale, $label', (variant) => {
  it(`echoes on ${CONNECTIONS} concurrent connections, every byte verified`, async () => {
    const server = await startChildServer(variant, variant.family);
    const reactor = newReactor(variant);
    const protocols: Verifier[] = [];
    let verified = 0;
    let corrupt = 0;
    let failed = 0;
    let lost = 0;
    try {
      await runReactor(
        reactor,
        (done, fail) => {
          let started = 0;
          const startMore = (): void => {
            while (started < CONNECTIONS && started - verified < WINDOW) {
              const id = started++;
              const payload = Buffer.from(`connection ${String(id).padStart(5, '0')} ${'x'.repeat(id % 50)}|`);
              const factory = new (class extends ClientFactory {
                override buildProtocol(): Protocol {
                  const p = new Verifier(
                    payload,
                    (ok) => {
                      if (!ok) corrupt++;
                      else if (++verified === CONNECTIONS) {
                        for (const q of protocols) q.transport.loseConnection();
                      } else startMore();
                    },
                    () => {
                      if (++lost === CONNECTIONS) done();
                    },
                  );
                  protocols.push(p);
                  return p;
                }
                override clientConnectionFailed(_c: unknown, reason: Failure): void {
                  failed++;
                  fail(reason.value);
                }
              })();
              connectTo(reactor, variant.family, server.address, factory);
            }
          };
          startMore();
        },
        90,
      );
    } finally {
      await server.stop();
    }
    expect({ verified, corrupt, failed, lost }).toEqual({ verified: CONNECTIONS, corrupt: 0, failed: 0, lost: CONNECTIONS });
  }, 120_000);
});

describe.each(VARIANTS)('running out of descriptors, $name', (variant) => {
  it('survives EMFILE during an accept storm and accepts again once descriptors are free', async () => {
    const server = await startChildServer(variant, 'TCP4');
    const reactor = newReactor(variant);
    const outcomes: string[] = [];
    let echoed = '';
    try {
      const exhausted = await server.request('exhaust', 'exhausted');
      expect(exhausted.exhausted).toBeGreaterThan(100);
      await runReactor(
        reactor,
        (done) => {
          const attempt = (label: string, onEcho?: () => void): void => {
            connectTo(
              reactor,
              'TCP4',
              server.address,
              new (class extends ClientFactory {
                override buildProtocol(): Protocol {
                  return new (class extends Protocol {
                    override connectionMade(): void {
                      this.transport.write(Buffer.from(label));
                    }
                    override dataReceived(d: Buffer): void {
                      echoed += d.toString();
                      this.transport.loseConnection();
                      onEcho?.();
                    }
                    override connectionLost(): void {
                      outcomes.push(`${label} lost`);
                    }
                  })();
                }
                override clientConnectionFailed(): void {
                  outcomes.push(`${label} failed`);
                }
              })(),
            );
          };
          for (let i = 0; i < 20; i++) attempt(`storm-${i};`);
          const waitForError = (): void => {
            if (server.messages.some((m) => m.acceptError === 'EMFILE')) {
              server.request('release', 'released').then(() => {
                attempt('after-release;', () => reactor.callLater(0.05, done));
              }, done);
            } else reactor.callLater(0.02, waitForError);
          };
          waitForError();
        },
        30,
      );
    } finally {
      await server.stop();
    }
    expect(server.messages.some((m) => m.acceptError === 'EMFILE')).toBe(true);
    expect(echoed).toContain('after-release;');
    expect(server.child.exitCode).toBe(0);
  }, 60_000);
});
