// Tests of the test helpers: an error a callback throws, caught by a logger, fails its test at
// once and with its own message; expected reports are consumed; the rest is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { consoleLogger, Deferred, Factory, Protocol, Reactor } from '../../src/index';
import { forceGarbageCollection } from '../../src/defer/unhandled';
import { expectLogged, recordLogged, withRealConsoleLogger } from './logged';
import { newReactor, RecordingLogger, runReactor, VARIANTS } from './reactors';
import { connect, listen, removeSocketDir, TestClientFactory } from './streams';

afterAll(removeSocketDir);

describe('loud failures in reactor tests', () => {
  it('an expect that fails inside dataReceived fails runReactor at once, with the assertion message', async () => {
    const reactor = newReactor(VARIANTS[0]);
    const started = performance.now();
    let port: { stopListening(): unknown } | undefined;
    const run = runReactor(
      reactor,
      () => {
        port = listen(
          reactor,
          'TCP4',
          Factory.forProtocol(
            class Greeter extends Protocol {
              override connectionMade(): void {
                this.transport.write(Buffer.from('hello'));
              }
            },
          ),
        );
        connect(
          reactor,
          'TCP4',
          port as never,
          new TestClientFactory(() => {
            const p = new Protocol();
            p.dataReceived = (data: Buffer) => {
              // The broken callback: the greeting is 'hello'.
              expect(data.toString(), 'the greeting').toBe('goodbye');
            };
            return p;
          }),
        );
        // No done(): without the loud logger this run would end only at its 20 s timeout.
      },
      20,
    );
    await expect(run).rejects.toThrow(/the greeting: expected 'hello' to be 'goodbye'/);
    expect(performance.now() - started, 'failed at once, not at the timeout').toBeLessThan(10_000);
    // runReactor closed the reactor, and with it every descriptor (no-leaks checks).
    void port;
  });

  it('an error thrown by a callLater callback on a reactor with the default logger fails the run', async () => {
    const reactor = new Reactor({ backend: VARIANTS[0].backend });
    const boom = new Error('timer boom');
    await expect(
      runReactor(
        reactor,
        () => {
          reactor.callLater(0, () => {
            throw boom;
          });
        },
        20,
      ),
    ).rejects.toBe(boom);
  });

  it('a declared error is consumed and the run goes on; the handle keeps it', async () => {
    const logger = new RecordingLogger();
    const reactor = newReactor(VARIANTS[0], { logger });
    const boom = new Error('declared boom');
    const logged = expectLogged(/delayed call.*declared boom/);
    let after = false;
    await runReactor(reactor, (done) => {
      reactor.callLater(0, () => {
        throw boom;
      });
      reactor.callLater(0.01, () => {
        after = true;
        done();
      });
    });
    expect(after).toBe(true);
    expect(logged.errors).toEqual([boom]);
    expect(logger.errors.map((e) => e.error)).toEqual([boom]);
  });

  it('an expect that fails inside addCallback, its Failure left unhandled, is reported once the Deferred is collected', async () => {
    const logged = expectLogged(/^\[consoleLogger\] Unhandled error in Deferred: AssertionError: expected 1 to be 2/);
    (() => {
      const d = new Deferred<number>();
      d.addCallback((x) => {
        expect(x).toBe(2);
      });
      d.callback(1);
    })();
    // What the afterEach does after every test, here so that the test can look at the result.
    for (let i = 0; i < 3 && logged.entries.length === 0; i++) {
      forceGarbageCollection();
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    expect(logged.entries).toHaveLength(1);
  });

  it('reports beyond the declared count are not consumed', () => {
    const logged = expectLogged(/once/, 1);
    recordLogged('here', 'once');
    const extra = expectLogged(/once/, 1);
    recordLogged('here', 'once again');
    expect(logged.entries).toHaveLength(1);
    expect(extra.entries).toHaveLength(1);
  });

  it('the real consoleLogger writes the message and the error to console.error', () => {
    const calls: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void calls.push(args);
    const err = new Error('shown');
    try {
      withRealConsoleLogger(() => {
        consoleLogger.error('just a message');
        consoleLogger.error('with an error:', err);
      });
    } finally {
      console.error = original;
    }
    expect(calls).toEqual([['just a message'], ['with an error:', err]]);
  });
});
