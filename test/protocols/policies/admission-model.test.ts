// Model-based test of KeyedAdmission: fast-check generates limits and sequences of admit,
// release (again, too), cancel (before and after the grant) over three keys, some of them made
// from inside a grant's callback, and a model checks every grant as it happens and the counters
// after every step. The model holds the rules, not the algorithm:
//   - never more than globalLimit in flight, never more than perKeyLimit for one key;
//   - a grant goes to the oldest waiter of its key (FIFO per key);
//   - round-robin: while a key waits in line (has waiters, under its per-key limit), no other
//     key is granted twice before it;
//   - no waiter is stuck while a slot it may take is free (checked between steps);
//   - an admit is granted at once exactly when a slot is free for its key and no key is in
//     line, refused exactly when not granted and its key has maxWaitingPerKey waiters;
//   - a cancelled waiter fails with CancelledError and is never granted; cancelling a granted
//     one and releasing twice change nothing;
//   - stats() and keyStats() match the model.
//
//   npx vitest run test/protocols/policies/admission-model.test.ts    default: 5000 sequences
//   IOREACTOR_ADMISSION_RUNS=<n>     sequences
//   IOREACTOR_ADMISSION_SEED=<n>     replay: the seed fast-check reports, with
//   IOREACTOR_ADMISSION_PATH=<path>  the path it reports
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdmissionRefusedError, AdmissionTicket, CancelledError, Deferred, Failure, KeyedAdmission, type KeyedAdmissionOptions } from '../../../src/index';

const RUNS = Number(process.env.IOREACTOR_ADMISSION_RUNS ?? 5000);
const SEED = process.env.IOREACTOR_ADMISSION_SEED === undefined ? undefined : Number(process.env.IOREACTOR_ADMISSION_SEED);
const PATH = process.env.IOREACTOR_ADMISSION_PATH;
const BUDGET_MS = Math.max(30_000, RUNS * 50);
const KEYS = ['a', 'b', 'c'] as const;

/**
 * What the holder does inside the grant callback, in order (nothing: it holds the slot).
 * 'release-other' then 'admit-next-key' frees a slot while the grant loop runs and then asks
 * for one: the admit must queue behind the keys in line, not take the slot past them.
 */
type OnGrant = readonly ('release' | 'release-other' | 'admit-next-key' | 'cancel-a-waiter')[];

type Action =
  | { t: 'admit'; key: number; onGrant: OnGrant }
  | { t: 'release'; pick: number }
  | { t: 'release-again'; pick: number }
  | { t: 'cancel'; pick: number }
  | { t: 'cancel-granted'; pick: number };

const onGrant: fc.Arbitrary<OnGrant> = fc.oneof(
  { weight: 3, arbitrary: fc.constant([]) },
  {
    weight: 2,
    arbitrary: fc.array(fc.constantFrom('release' as const, 'release-other' as const, 'admit-next-key' as const, 'cancel-a-waiter' as const), {
      minLength: 1,
      maxLength: 2,
    }),
  },
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('admit' as const), key: fc.nat(KEYS.length - 1), onGrant: onGrant }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release-again' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancel-granted' as const), pick: fc.nat() }) },
);

// Small limits, so that both limits bind, queues fill and keys wait in line together.
const bound = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 8, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constant(Infinity) });
const options: fc.Arbitrary<KeyedAdmissionOptions> = fc.record({ globalLimit: bound(1, 3), perKeyLimit: bound(1, 3), maxWaitingPerKey: bound(0, 4) });

type State = 'admitting' | 'waiting' | 'held' | 'released' | 'refused' | 'cancelling' | 'cancelled';

interface Req {
  readonly id: number;
  readonly key: string;
  readonly onGrant: OnGrant;
  readonly d: Deferred<AdmissionTicket>;
  state: State;
  /** What the model predicted at admit: granted at once, refused, or queued. */
  expected: 'grant' | 'refuse' | 'queue';
  ticket?: AdmissionTicket;
}

/** The model's view of one key. */
interface KeyModel {
  inFlight: number;
  /** Waiting requests, oldest first. */
  waiters: Req[];
  /** While the key is in line: the keys granted since it joined (each allowed once). */
  passedBy: Set<string> | null;
}

class Model {
  readonly violations: string[] = [];
  readonly requests: Req[] = [];
  readonly keys = new Map<string, KeyModel>(KEYS.map((k) => [k, { inFlight: 0, waiters: [], passedBy: null }]));
  inFlight = 0;
  admitted = 0;
  refused = 0;
  cancelled = 0;
  step = 0;

  constructor(
    readonly admission: KeyedAdmission,
    readonly limits: KeyedAdmissionOptions,
  ) {}

  violation(text: string): void {
    this.violations.push(`step ${this.step}: ${text}`);
  }

  #key(key: string): KeyModel {
    return this.keys.get(key)!;
  }

  #eligible(k: KeyModel): boolean {
    return k.waiters.length > 0 && k.inFlight < this.limits.perKeyLimit;
  }

  /** Starts or ends each key's round-robin record as it enters or leaves the line. */
  #refreshLine(): void {
    for (const k of this.keys.values()) {
      const eligible = this.#eligible(k);
      if (eligible && k.passedBy === null) k.passedBy = new Set();
      else if (!eligible) k.passedBy = null;
    }
  }

  #lineIsEmpty(): boolean {
    for (const k of this.keys.values()) if (this.#eligible(k)) return false;
    return true;
  }

  admit(key: string, onGrant: OnGrant): void {
    const k = this.#key(key);
    const immediate = this.#lineIsEmpty() && this.inFlight < this.limits.globalLimit && k.inFlight < this.limits.perKeyLimit;
    const expected = immediate ? 'grant' : k.waiters.length >= this.limits.maxWaitingPerKey ? 'refuse' : 'queue';
    const id = this.requests.length;
    // Queued before the call: a grant loop already running (this may be inside a callback) may
    // serve it before admit returns.
    const pending: Partial<Req> = { id, key, onGrant, state: expected === 'queue' ? 'waiting' : 'admitting', expected };
    if (expected === 'queue') {
      k.waiters.push(pending as Req);
      this.#refreshLine();
    }
    if (expected === 'refuse') this.refused++;
    this.requests.push(pending as Req);
    const d = this.admission.admit(key);
    const req = Object.assign(pending as Req, { d });
    d.addCallbacks(
      (ticket) => this.#granted(req, ticket),
      (f: Failure) => this.#failed(req, f),
    );
    if (expected === 'grant' && req.state === 'admitting') this.violation(`admit #${id} (${key}) should have been granted at once`);
    if (expected === 'refuse' && req.state !== 'refused') this.violation(`admit #${id} (${key}) should have been refused`);
    // A queued request is served by a later release, or by the grant loop this admit was made
    // from once the callback returns: never inside admit, past the keys in line.
    if (expected === 'queue' && req.state !== 'waiting') this.violation(`admit #${id} (${key}) was ${req.state} at once instead of queued`);
  }

  #granted(req: Req, ticket: AdmissionTicket): void {
    const k = this.#key(req.key);
    if (req.state === 'admitting' && req.expected === 'grant') {
      // Granted at once: checked by the prediction in admit.
    } else if (req.state === 'waiting') {
      if (k.waiters[0] !== req) this.violation(`#${req.id} (${req.key}) granted before an older waiter of its key (FIFO)`);
      for (const [other, om] of this.keys) {
        if (other === req.key || om.passedBy === null) continue;
        if (om.passedBy.has(req.key)) this.violation(`${req.key} granted twice while ${other} waited in line (round-robin)`);
        om.passedBy.add(req.key);
      }
      k.waiters.splice(k.waiters.indexOf(req), 1);
    } else {
      this.violation(`#${req.id} granted in state ${req.state}`);
      return;
    }
    if (ticket.key !== req.key) this.violation(`#${req.id} got a ticket for ${String(ticket.key)}`);
    if (this.inFlight >= this.limits.globalLimit) this.violation(`grant beyond globalLimit ${this.limits.globalLimit}`);
    if (k.inFlight >= this.limits.perKeyLimit) this.violation(`grant beyond perKeyLimit ${this.limits.perKeyLimit} for ${req.key}`);
    k.passedBy = null; // served: its round-robin record ends (it rejoins at the back)
    k.inFlight++;
    this.inFlight++;
    this.admitted++;
    req.state = 'held';
    req.ticket = ticket;
    this.#refreshLine();
    this.#onGrant(req);
  }

  #onGrant(req: Req): void {
    for (const what of req.onGrant) {
      switch (what) {
        case 'release':
          this.release(req);
          break;
        case 'release-other': {
          const other = this.requests.find((r) => r.state === 'held' && r !== req);
          if (other !== undefined) this.release(other);
          break;
        }
        case 'admit-next-key':
          this.admit(KEYS[(KEYS.indexOf(req.key as (typeof KEYS)[number]) + 1) % KEYS.length]!, []);
          break;
        case 'cancel-a-waiter': {
          const waiter = this.requests.find((r) => r.state === 'waiting' && r.key !== req.key);
          if (waiter !== undefined) this.cancel(waiter);
          break;
        }
      }
    }
  }

  #failed(req: Req, f: Failure): void {
    if (req.state === 'admitting' && req.expected === 'refuse') {
      const e = f.value as AdmissionRefusedError;
      if (!(e instanceof AdmissionRefusedError) || e.code !== 'ERR_IOREACTOR_ADMISSION_REFUSED') this.violation(`#${req.id} refused with ${String(e)}`);
      req.state = 'refused';
    } else if (req.state === 'cancelling') {
      if (!(f.value instanceof CancelledError)) this.violation(`#${req.id} cancelled with ${String(f.value)}`);
      req.state = 'cancelled';
    } else {
      this.violation(`#${req.id} failed in state ${req.state}: ${String(f.value)}`);
    }
  }

  release(req: Req): void {
    if (req.state === 'held') {
      const k = this.#key(req.key);
      k.inFlight--;
      this.inFlight--;
      req.state = 'released';
      this.#refreshLine();
    }
    req.ticket!.release();
    if (!req.ticket!.released) this.violation(`#${req.id}'s ticket not released after release()`);
  }

  cancel(req: Req): void {
    const k = this.#key(req.key);
    k.waiters.splice(k.waiters.indexOf(req), 1);
    req.state = 'cancelling';
    this.cancelled++;
    this.#refreshLine();
    req.d.cancel();
    const after = req.state as State; // the errback changed it
    if (after !== 'cancelled') this.violation(`#${req.id} did not fail at once when cancelled (state ${after})`);
  }

  /** The checks that hold between steps. */
  checkQuiescent(): void {
    const waiting = [...this.keys.values()].reduce((n, k) => n + k.waiters.length, 0);
    if (this.inFlight < this.limits.globalLimit && !this.#lineIsEmpty()) this.violation('a waiter is stuck while a slot it may take is free');
    const keys = [...this.keys.values()].filter((k) => k.inFlight > 0 || k.waiters.length > 0).length;
    const want = { inFlight: this.inFlight, waiting, admitted: this.admitted, refused: this.refused, cancelled: this.cancelled, keys };
    const got = this.admission.stats();
    if (JSON.stringify(got) !== JSON.stringify(want)) this.violation(`stats ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
    for (const [key, k] of this.keys) {
      const ks = this.admission.keyStats(key);
      if (ks.inFlight !== k.inFlight || ks.waiting !== k.waiters.length)
        this.violation(`keyStats(${key}) ${JSON.stringify(ks)}, model ${k.inFlight}/${k.waiters.length}`);
    }
  }

  /** Runs one top-level action; `pick` chooses among the requests in the state it needs. */
  run(a: Action): void {
    this.step++;
    const among = (state: State, pick: number): Req | undefined => {
      const those = this.requests.filter((r) => r.state === state);
      return those.length === 0 ? undefined : those[pick % those.length];
    };
    switch (a.t) {
      case 'admit':
        this.admit(KEYS[a.key]!, a.onGrant);
        break;
      case 'release': {
        const r = among('held', a.pick);
        if (r !== undefined) this.release(r);
        break;
      }
      case 'release-again': {
        const r = among('released', a.pick);
        if (r !== undefined) this.release(r);
        break;
      }
      case 'cancel': {
        const r = among('waiting', a.pick);
        if (r !== undefined) this.cancel(r);
        break;
      }
      case 'cancel-granted': {
        const r = among('held', a.pick) ?? among('released', a.pick);
        if (r !== undefined) {
          r.d.cancel();
          if (r.state !== 'held' && r.state !== 'released') this.violation(`cancelling granted #${r.id} changed it to ${r.state}`);
        }
        break;
      }
    }
    this.checkQuiescent();
  }
}

function check(limits: KeyedAdmissionOptions, actions: Action[]): void {
  const model = new Model(new KeyedAdmission(limits), limits);
  for (const a of actions) {
    model.run(a);
    if (model.violations.length > 0) break;
  }
  // Release everything left so the run ends with nothing held or waiting.
  for (const r of model.requests) if (r.state === 'waiting') model.cancel(r);
  for (const r of model.requests) if (r.state === 'held') model.release(r);
  model.checkQuiescent();
  if (model.admission.stats().keys !== 0) model.violation('keys left after everything was released');
  if (model.violations.length > 0) throw new Error(`${JSON.stringify(limits)}\n${model.violations.join('\n')}`);
}

describe('KeyedAdmission model', () => {
  it(
    `random admit/release/cancel sequences keep the admission rules (${RUNS} sequences)`,
    () => {
      let runs = 0;
      fc.assert(
        fc.property(options, fc.array(action, { minLength: 1, maxLength: 80 }), (limits, actions) => {
          runs++;
          check(limits, actions);
        }),
        { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: PATH !== undefined, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
      );
      expect(runs).toBeGreaterThan(0);
    },
    BUDGET_MS + 30_000,
  );

  it('the model catches a broken rule (a grant out of FIFO order is reported)', () => {
    // The checker must be able to fail: feed it a grant the rules forbid.
    const limits = { globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 5 };
    const model = new Model(new KeyedAdmission(limits), limits);
    model.run({ t: 'admit', key: 0, onGrant: [] });
    model.run({ t: 'admit', key: 0, onGrant: [] });
    model.run({ t: 'admit', key: 0, onGrant: [] });
    // Pretend the model expected the later waiter first.
    const k = model.keys.get('a')!;
    k.waiters.reverse();
    model.run({ t: 'release', pick: 0 });
    expect(model.violations.join('\n')).toMatch(/FIFO/);
  });
});
