// Model-based test of datagram ports: fast-check generates sequences of calls over six ports
// (UDP over IPv4 and IPv6, UNIX datagram) — writes to live, stopped and closed destinations,
// connected or not, connect, stopListening and loseConnection, socket options, multicast
// membership, reactor.close, and calls made from inside startProtocol, datagramReceived and
// stopProtocol — and test/support/model-datagrams.ts checks them against a model: every datagram
// a port receives was written to that port by the port it names as sender, once, before
// stopProtocol; nothing written to a listening port on loopback is lost unless the kernel
// dropped it; startProtocol and stopProtocol run once each, in order; every error thrown is the
// coded one the model predicts; no descriptor is left open.
//
//   IOREACTOR_DATAGRAM_MODEL_RUNS=<n>   sequences per variant (default 100)
//   IOREACTOR_DATAGRAM_MODEL_SEED=<n>   replay the seed fast-check reports, with
//   IOREACTOR_DATAGRAM_MODEL_PATH=<p>   the path it reports
//   IOREACTOR_DATAGRAM_MODEL_MS=<ms>    time budget per variant (default: 24 s shared by all)
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runDatagramSequence, sequence } from '../support/model-datagrams';
import { VARIANTS } from '../support/reactors';
import { removeSocketDir } from '../support/streams';

afterAll(removeSocketDir);

const RUNS = Number(process.env.IOREACTOR_DATAGRAM_MODEL_RUNS ?? 100);
const SEED = process.env.IOREACTOR_DATAGRAM_MODEL_SEED === undefined ? undefined : Number(process.env.IOREACTOR_DATAGRAM_MODEL_SEED);
const PATH = process.env.IOREACTOR_DATAGRAM_MODEL_PATH;
/** The whole file stays under ~30 s: each variant gets its share, shrinking included. */
const BUDGET_MS = Number(process.env.IOREACTOR_DATAGRAM_MODEL_MS ?? Math.max(4000, Math.floor(24_000 / VARIANTS.length)));

beforeAll(async () => {
  // The first IPv6 and UNIX sockets of a process make Node open descriptors it keeps: open
  // them before any run counts descriptors.
  await runDatagramSequence(VARIANTS[0]!, [{ t: 'wait' }]);
}, 30_000);

describe.each(VARIANTS)('datagram model: $name', (variant) => {
  it(
    `random call sequences keep the datagram contract (up to ${RUNS} sequences)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(sequence, async (actions) => {
          const violations = await runDatagramSequence(variant, actions);
          if (violations.length > 0) throw new Error(`${variant.name}:\n  ${violations.join('\n  ')}\nactions: ${JSON.stringify(actions)}`);
        }),
        { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: PATH !== undefined, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
      );
    },
    BUDGET_MS + 20_000,
  );
});
