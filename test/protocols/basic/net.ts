// Real connections for the protocol suites: one server and one client protocol over loopback
// (or a UNIX socket) on a fresh reactor, handed to the test once both are connected.
import type { Factory, Port, Protocol, Reactor } from '../../../src/index';
import { newReactor, RecordingLogger, runReactor, type Variant } from '../../support/reactors';
import { connect, listen, TestClientFactory, TestServerFactory, type FamilyName } from '../../support/streams';

export interface Session<S extends Protocol, C extends Protocol> {
  reactor: Reactor;
  port: Port;
  server: S;
  client: C;
  logger: RecordingLogger;
  done(): void;
  fail(err: unknown): void;
}

export interface SessionOptions {
  family?: FamilyName;
  /** Wraps the server factory (a policy). */
  wrap?: (factory: Factory, reactor: Reactor) => Factory;
  timeout?: number;
}

/** Calls `then` right after `p.connectionMade`. */
export function afterMade(p: Protocol, then: () => void): void {
  const made = p.connectionMade.bind(p);
  p.connectionMade = () => {
    made();
    then();
  };
}

/** Calls `then` right after `p.connectionLost`. */
export function afterLost(p: Protocol, then: () => void): void {
  const lost = p.connectionLost.bind(p);
  p.connectionLost = (reason) => {
    lost(reason);
    then();
  };
}

/** Runs `body` with a connected server/client pair; resolves once it calls done(). */
export async function session<S extends Protocol, C extends Protocol>(
  variant: Variant,
  makeServer: (reactor: Reactor) => S,
  makeClient: (reactor: Reactor) => C,
  body: (s: Session<S, C>) => void,
  options: SessionOptions = {},
): Promise<RecordingLogger> {
  const logger = new RecordingLogger();
  const reactor = newReactor(variant, { logger });
  await runReactor(
    reactor,
    (done, fail) => {
      let server: S | undefined;
      let client: C | undefined;
      let port: Port;
      const ready = (): void => {
        if (server?.connected !== true || client?.connected !== true) return;
        try {
          body({ reactor, port, server, client, logger, done, fail });
        } catch (err) {
          fail(err);
        }
      };
      const inner = new TestServerFactory(() => {
        const p = makeServer(reactor);
        server = p;
        afterMade(p, ready);
        return p;
      });
      port = listen(reactor, options.family ?? 'TCP4', options.wrap ? options.wrap(inner, reactor) : inner);
      connect(
        reactor,
        options.family ?? 'TCP4',
        port,
        new TestClientFactory(() => {
          const p = makeClient(reactor);
          client = p;
          afterMade(p, ready);
          return p;
        }, fail),
      );
    },
    options.timeout ?? 10,
  );
  return logger;
}
