// KeyedAdmission (src/protocols/policies/admission.ts): limits, FIFO per key, round-robin
// across keys, refusal, cancellation, release idempotence, run() and bad arguments. Random
// sequences checked against a model are in admission-model.test.ts.
import { describe, expect, it } from 'vitest';
import {
  AdmissionRefusedError,
  AdmissionTicket,
  CancelledError,
  Deferred,
  Failure,
  InvalidArgTypeError,
  InvalidArgValueError,
  KeyedAdmission,
  type KeyedAdmissionOptions,
} from '../../../src/index';

/** What became of one admit: its ticket once granted, its failure if it failed. */
interface Request<K> {
  readonly d: Deferred<AdmissionTicket<K>>;
  ticket: AdmissionTicket<K> | undefined;
  failure: Failure | undefined;
}

/** Admits through one KeyedAdmission and records every grant in order. */
class Recorder<K = string> {
  /** Tickets in the order they were granted. */
  readonly tickets: AdmissionTicket<K>[] = [];

  constructor(readonly admission: KeyedAdmission<K>) {}

  /** The keys granted, in order. */
  get grants(): K[] {
    return this.tickets.map((t) => t.key);
  }

  admit(key: K): Request<K> {
    const r: Request<K> = { d: this.admission.admit(key), ticket: undefined, failure: undefined };
    r.d.addCallbacks(
      (ticket) => {
        r.ticket = ticket;
        this.tickets.push(ticket);
      },
      (f: Failure) => {
        r.failure = f;
      },
    );
    return r;
  }
}

function recorder<K = string>(options: Partial<KeyedAdmissionOptions> = {}): Recorder<K> {
  return new Recorder(new KeyedAdmission<K>({ globalLimit: 4, perKeyLimit: 2, maxWaitingPerKey: 10, ...options }));
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('KeyedAdmission limits', () => {
  it('grants at once under both limits, then holds a key at its per-key limit', () => {
    const rec = recorder();
    const a = rec.admission;
    const x = [rec.admit('x'), rec.admit('x'), rec.admit('x')];
    expect(x.map((r) => r.ticket !== undefined)).toEqual([true, true, false]);
    expect(a.keyStats('x')).toEqual({ inFlight: 2, waiting: 1 });
    // Another key still gets the free global slots.
    expect(rec.admit('y').ticket?.key).toBe('y');
    expect(a.stats()).toEqual({ inFlight: 3, waiting: 1, admitted: 3, refused: 0, cancelled: 0, keys: 2 });
    x[0]!.ticket!.release();
    expect(x[2]!.ticket?.key).toBe('x');
    expect(a.keyStats('x')).toEqual({ inFlight: 2, waiting: 0 });
  });

  it('holds every key at the global limit', () => {
    const rec = recorder({ globalLimit: 2 });
    const x = rec.admit('x');
    const y = rec.admit('y');
    const z = rec.admit('z');
    expect(x.ticket).toBeDefined();
    expect(y.ticket).toBeDefined();
    expect(z.ticket).toBeUndefined();
    y.ticket!.release();
    expect(z.ticket?.key).toBe('z');
    expect(rec.admission.stats()).toMatchObject({ inFlight: 2, waiting: 0, admitted: 3, keys: 2 });
  });

  it('serves one key first come, first served', () => {
    const rec = recorder({ globalLimit: 1, perKeyLimit: 1 });
    const all = [0, 1, 2, 3, 4].map(() => rec.admit('x'));
    expect(rec.tickets.length).toBe(1);
    for (let i = 0; i < all.length; i++) {
      expect(rec.tickets[i]).toBe(all[i]!.ticket);
      all[i]!.ticket!.release();
    }
    expect(rec.admission.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 5, refused: 0, cancelled: 0, keys: 0 });
  });

  it('accepts Infinity for every bound', () => {
    const rec = recorder({ globalLimit: Infinity, perKeyLimit: Infinity, maxWaitingPerKey: Infinity });
    for (let i = 0; i < 100; i++) rec.admit('x');
    expect(rec.admission.stats().inFlight).toBe(100);
    for (const t of rec.tickets) t.release();
    expect(rec.admission.stats()).toMatchObject({ inFlight: 0, keys: 0 });
  });

  it('forgets idle keys: 10 000 distinct keys leave no bookkeeping behind', () => {
    const rec = recorder({ globalLimit: 8, perKeyLimit: 1, maxWaitingPerKey: 1 });
    for (let i = 0; i < 10_000; i++) rec.admit(`user-${i}`);
    expect(rec.admission.stats()).toMatchObject({ inFlight: 8, waiting: 9992, keys: 10_000 });
    for (let i = 0; i < rec.tickets.length; i++) rec.tickets[i]!.release();
    expect(rec.tickets.length).toBe(10_000);
    expect(rec.admission.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 10_000, refused: 0, cancelled: 0, keys: 0 });
    expect(rec.admission.keyStats('user-0')).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('compares keys as Map keys: objects by identity, numbers and strings apart', () => {
    const rec = recorder<unknown>({ globalLimit: 10, perKeyLimit: 1, maxWaitingPerKey: 0 });
    const tenant = { id: 1 };
    expect(rec.admit(tenant).ticket).toBeDefined();
    expect(rec.admit({ id: 1 }).ticket).toBeDefined();
    expect(rec.admit(1).ticket).toBeDefined();
    expect(rec.admit('1').ticket).toBeDefined();
    expect(rec.admit(tenant).failure?.value).toBeInstanceOf(AdmissionRefusedError);
    expect(rec.admission.keyStats(tenant)).toEqual({ inFlight: 1, waiting: 0 });
  });
});

describe('KeyedAdmission fairness', () => {
  it('a hot key with 1000 waiters does not starve a key with one', () => {
    const rec = recorder({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1000 });
    rec.admit('hot');
    const hot = Array.from({ length: 1000 }, () => rec.admit('hot'));
    const quiet = rec.admit('quiet');
    expect(rec.admission.keyStats('hot')).toEqual({ inFlight: 1, waiting: 1000 });
    rec.tickets[0]!.release();
    expect(quiet.ticket?.key).toBe('quiet');
    quiet.ticket!.release();
    expect(hot[0]!.ticket?.key).toBe('hot');
    expect(rec.grants).toEqual(['hot', 'quiet', 'hot']);
  });

  it('the same with a hot key under its per-key limit: the quiet key waits one grant at most', () => {
    const rec = recorder({ globalLimit: 2, perKeyLimit: 100, maxWaitingPerKey: 1000 });
    rec.admit('hot');
    rec.admit('hot');
    for (let i = 0; i < 1000; i++) rec.admit('hot');
    const quiet = rec.admit('quiet');
    rec.tickets[0]!.release();
    // The hot key was in line first, so it takes this slot and goes behind the quiet key.
    expect(quiet.ticket).toBeUndefined();
    rec.tickets[1]!.release();
    expect(quiet.ticket?.key).toBe('quiet');
  });

  it('round-robin among keys in line, FIFO within each', () => {
    const rec = recorder<string>({ globalLimit: 1, perKeyLimit: 10 });
    const labels = new Map<AdmissionTicket<string>, string>();
    rec.admit('h');
    const queued: [string, Request<string>][] = [];
    for (const [key, n] of [
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ] as const) {
      for (let i = 0; i < n; i++) queued.push([`${key}${i}`, rec.admit(key)]);
    }
    // Each release serves one; release the newest holder each time.
    for (let i = 0; i < 6; i++) rec.tickets[rec.tickets.length - 1]!.release();
    for (const [label, r] of queued) labels.set(r.ticket!, label);
    expect(rec.tickets.slice(1).map((t) => labels.get(t))).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'a2']);
  });

  it('a key freed from its per-key limit joins the back of the line', () => {
    const rec = recorder({ globalLimit: 2, perKeyLimit: 1 });
    rec.admit('a');
    rec.admit('b');
    rec.admit('a'); // at its limit: not in line
    rec.admit('c'); // in line
    rec.admit('d'); // in line
    rec.tickets[0]!.release(); // a's slot: a joins behind c and d; c is served
    expect(rec.grants).toEqual(['a', 'b', 'c']);
    rec.tickets[1]!.release();
    rec.tickets[2]!.release();
    expect(rec.grants).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('a key in line keeps its place when one of its own slots is released', () => {
    const rec = recorder({ globalLimit: 2, perKeyLimit: 3 });
    const a1 = rec.admit('a');
    const b1 = rec.admit('b');
    rec.admit('b'); // line: b
    const a2 = rec.admit('a'); // line: b, a
    rec.admit('c'); // line: b, a, c
    b1.ticket!.release();
    expect(rec.grants).toEqual(['a', 'b', 'b']);
    a1.ticket!.release(); // a is still ahead of c
    expect(a2.ticket?.key).toBe('a');
    expect(rec.grants).toEqual(['a', 'b', 'b', 'a']);
  });
});

describe('KeyedAdmission refusal', () => {
  it("refuses with a coded error when the key's wait queue is full, and queues nothing", () => {
    const rec = recorder({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 2 });
    rec.admit('x');
    rec.admit('x');
    rec.admit('x');
    const refused = rec.admit('x');
    const error = refused.failure?.value as AdmissionRefusedError;
    expect(error).toBeInstanceOf(AdmissionRefusedError);
    expect(error.code).toBe('ERR_IOREACTOR_ADMISSION_REFUSED');
    expect(error.key).toBe('x');
    expect(error.maxWaitingPerKey).toBe(2);
    expect(rec.admission.stats()).toMatchObject({ inFlight: 1, waiting: 2, refused: 1 });
    // Another key has its own queue.
    expect(rec.admit('y').failure).toBeUndefined();
    expect(rec.admission.keyStats('y')).toEqual({ inFlight: 0, waiting: 1 });
  });

  it('maxWaitingPerKey 0 admits only what can start at once', () => {
    const rec = recorder({ globalLimit: 1, maxWaitingPerKey: 0 });
    expect(rec.admit('x').ticket).toBeDefined();
    expect(rec.admit('x').failure?.value).toBeInstanceOf(AdmissionRefusedError);
    expect(rec.admit('y').failure?.value).toBeInstanceOf(AdmissionRefusedError);
    expect(rec.admission.stats()).toEqual({ inFlight: 1, waiting: 0, admitted: 1, refused: 2, cancelled: 0, keys: 1 });
  });
});

describe('KeyedAdmission cancellation', () => {
  it('cancelling a waiting request removes it: never granted, no slot taken', () => {
    const rec = recorder({ globalLimit: 1 });
    rec.admit('x');
    const cancelled = rec.admit('x');
    const next = rec.admit('y');
    cancelled.d.cancel();
    expect(cancelled.failure?.value).toBeInstanceOf(CancelledError);
    expect(rec.admission.stats()).toMatchObject({ inFlight: 1, waiting: 1, cancelled: 1, keys: 2 });
    rec.tickets[0]!.release();
    expect(next.ticket?.key).toBe('y');
    expect(cancelled.ticket).toBeUndefined();
    next.ticket!.release();
    expect(rec.admission.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 2, refused: 0, cancelled: 1, keys: 0 });
  });

  it("cancelling a key's only waiter takes the key out of line and forgets it", () => {
    const rec = recorder({ globalLimit: 1 });
    rec.admit('x');
    const y = rec.admit('y');
    y.d.cancel();
    expect(rec.admission.stats().keys).toBe(1);
    expect(rec.admission.keyStats('y')).toEqual({ inFlight: 0, waiting: 0 });
    rec.tickets[0]!.release();
    expect(rec.admission.stats()).toMatchObject({ inFlight: 0, keys: 0 });
  });

  it('cancelling after the grant does not touch the slot; the holder still releases it', () => {
    const rec = recorder({ globalLimit: 1 });
    const held = rec.admit('x');
    const waiting = rec.admit('x');
    held.d.cancel();
    expect(held.failure).toBeUndefined();
    expect(rec.admission.stats()).toMatchObject({ inFlight: 1, waiting: 1, cancelled: 0 });
    held.ticket!.release();
    expect(waiting.ticket).toBeDefined();
  });

  it('a waiter cancelled from inside a grant callback is skipped', () => {
    const rec = recorder({ globalLimit: 1 });
    rec.admit('x');
    const second = rec.admit('y');
    const third = rec.admit('z');
    // The recorder's callback returned nothing, so this one takes the ticket from the record.
    second.d.addCallback(() => {
      third.d.cancel();
      second.ticket!.release();
    });
    rec.tickets[0]!.release();
    expect(second.ticket).toBeDefined();
    expect(third.failure?.value).toBeInstanceOf(CancelledError);
    expect(rec.admission.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 2, refused: 0, cancelled: 1, keys: 0 });
  });
});

describe('KeyedAdmission tickets', () => {
  it('release is idempotent', () => {
    const rec = recorder({ globalLimit: 1 });
    const first = rec.admit('x');
    const second = rec.admit('x');
    const third = rec.admit('x');
    expect(first.ticket!.released).toBe(false);
    first.ticket!.release();
    first.ticket!.release();
    first.ticket!.release();
    expect(first.ticket!.released).toBe(true);
    expect(second.ticket).toBeDefined();
    expect(third.ticket).toBeUndefined();
    expect(rec.admission.stats()).toMatchObject({ inFlight: 1, waiting: 1 });
  });

  it('a chain of synchronous releases does not deepen the stack', () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: Infinity });
    const first = a.admit('x');
    let served = 0;
    for (let i = 0; i < 100_000; i++) {
      a.admit('x').addCallback((t) => {
        served++;
        t.release();
      });
    }
    let firstTicket: AdmissionTicket | undefined;
    first.addCallback((t) => {
      firstTicket = t;
    });
    firstTicket!.release();
    expect(served).toBe(100_000);
    expect(a.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 100_001, refused: 0, cancelled: 0, keys: 0 });
  });
});

describe('KeyedAdmission.run', () => {
  function outcome<T>(d: Deferred<T>): { value?: T; failure?: Failure } {
    const out: { value?: T; failure?: Failure } = {};
    d.addCallbacks(
      (v) => {
        out.value = v;
      },
      (f: Failure) => {
        out.failure = f;
      },
    );
    return out;
  }

  it('runs a synchronous fn with its arguments and releases at once', () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    const got = outcome(a.run('x', (p: number, q: string) => `${p}${q}`, 1, 'a'));
    expect(got.value).toBe('1a');
    expect(a.stats()).toMatchObject({ inFlight: 0, admitted: 1, keys: 0 });
  });

  it('holds the slot until a returned Deferred fires', () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    const work = new Deferred<number>();
    const got = outcome(a.run('x', () => work));
    let secondCalled = false;
    const second = outcome(
      a.run('x', () => {
        secondCalled = true;
        return 2;
      }),
    );
    expect(a.stats()).toMatchObject({ inFlight: 1, waiting: 1 });
    expect(secondCalled).toBe(false);
    work.callback(1);
    expect(got.value).toBe(1);
    expect(second.value).toBe(2);
    expect(a.stats()).toMatchObject({ inFlight: 0, waiting: 0, keys: 0 });
  });

  it('holds the slot until a returned Promise settles', async () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    let resolve!: (v: string) => void;
    const d = a.run('x', () => new Promise<string>((r) => (resolve = r)));
    expect(a.stats().inFlight).toBe(1);
    resolve('done');
    expect(await d).toBe('done');
    expect(a.stats()).toMatchObject({ inFlight: 0, keys: 0 });
  });

  it('cancelling a run whose fn returned a promise fails it at once but keeps the slot until the promise settles', async () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    let resolve!: (v: string) => void;
    const d = a.run('x', () => new Promise<string>((r) => (resolve = r)));
    const got = outcome(d);
    d.cancel();
    expect(got.failure?.value).toBeInstanceOf(CancelledError);
    expect(a.stats().inFlight).toBe(1);
    resolve('late');
    await new Promise((r) => setImmediate(r));
    expect(a.stats()).toMatchObject({ inFlight: 0, keys: 0 });
  });

  it('releases when a returned promise rejects, passing the rejection on', async () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    const d = a.run('x', () => Promise.reject(new Error('nope')));
    let caught: unknown;
    try {
      await d;
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).message).toBe('nope');
    expect(a.stats()).toMatchObject({ inFlight: 0, keys: 0 });
  });

  it('releases when fn throws or its Deferred fails, passing the failure on', () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    const boom = new Error('boom');
    const thrownOut = outcome(
      a.run('x', () => {
        throw boom;
      }),
    );
    expect(thrownOut.failure?.value).toBe(boom);
    const work = new Deferred<number>();
    const failedOut = outcome(a.run('x', () => work));
    work.errback(new Failure(new Error('later')));
    expect((failedOut.failure?.value as Error).message).toBe('later');
    expect(a.stats()).toMatchObject({ inFlight: 0, admitted: 2, keys: 0 });
  });

  it('a refused run never calls fn', () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 0 });
    const work = new Deferred<number>();
    outcome(a.run('x', () => work));
    let called = false;
    const refused = outcome(a.run('x', () => (called = true)));
    expect((refused.failure?.value as AdmissionRefusedError).code).toBe('ERR_IOREACTOR_ADMISSION_REFUSED');
    expect(called).toBe(false);
    work.callback(0);
  });

  it('cancelling a waiting run withdraws it; cancelling a running one cancels its Deferred and releases', () => {
    const a = new KeyedAdmission({ globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 1 });
    const work = new Deferred<number>();
    const running = a.run('x', () => work);
    let called = false;
    const waiting = a.run('x', () => (called = true));
    const waitingOut = outcome(waiting);
    waiting.cancel();
    expect(waitingOut.failure?.value).toBeInstanceOf(CancelledError);
    const runningOut = outcome(running);
    running.cancel();
    expect(runningOut.failure?.value).toBeInstanceOf(CancelledError);
    expect(called).toBe(false);
    expect(a.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 1, refused: 0, cancelled: 1, keys: 0 });
  });
});

describe('KeyedAdmission arguments', () => {
  const good = { globalLimit: 1, perKeyLimit: 1, maxWaitingPerKey: 0 };

  it.each([
    ['options null', null, InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['options a number', 5, InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['globalLimit missing', { perKeyLimit: 1, maxWaitingPerKey: 0 }, InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['globalLimit a string', { ...good, globalLimit: '4' }, InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['globalLimit 0', { ...good, globalLimit: 0 }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['globalLimit 1.5', { ...good, globalLimit: 1.5 }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['globalLimit NaN', { ...good, globalLimit: NaN }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['perKeyLimit 0', { ...good, perKeyLimit: 0 }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['perKeyLimit -Infinity', { ...good, perKeyLimit: -Infinity }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['maxWaitingPerKey -1', { ...good, maxWaitingPerKey: -1 }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['maxWaitingPerKey null', { ...good, maxWaitingPerKey: null }, InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
  ])('rejects %s', (_name, options, cls, code) => {
    const e = thrown(() => new KeyedAdmission(options as unknown as KeyedAdmissionOptions));
    expect(e).toBeInstanceOf(cls);
    expect((e as { code: string }).code).toBe(code);
  });

  it('rejects an undefined key and a run without a function, changing nothing', () => {
    const a = new KeyedAdmission<string | undefined>(good);
    const e1 = thrown(() => a.admit(undefined));
    expect(e1).toBeInstanceOf(InvalidArgValueError);
    expect((e1 as InvalidArgValueError).code).toBe('ERR_IOREACTOR_INVALID_ARG_VALUE');
    const e2 = thrown(() => a.run('x', 'nope' as unknown as () => void));
    expect(e2).toBeInstanceOf(InvalidArgTypeError);
    expect((e2 as InvalidArgTypeError).code).toBe('ERR_IOREACTOR_INVALID_ARG_TYPE');
    expect(a.stats()).toEqual({ inFlight: 0, waiting: 0, admitted: 0, refused: 0, cancelled: 0, keys: 0 });
  });
});
