// The calls the model-based test makes, as plain data (so a shrunk failure prints as a literal
// sequence that a regression test can replay), and the fast-check arbitraries that generate them.
//
// Indices (`c` for a reactor-side connection, `p` for a peer socket, `port`, `r` for a raw
// reader) are taken modulo the number of such things made so far in the run, counting the dead
// ones too (calls on a closed connection are part of the contract); with none, the call is skipped.
import fc from 'fast-check';

export type Fam = 'tcp4' | 'tcp6' | 'unix';
/** Frame padding: s = a bare frame (~8 bytes), m = about 1 KiB, l = about 64 KiB. */
export type Size = 's' | 'm' | 'l';
/**
 * How the written bytes are held: a Buffer of their own, a Uint8Array at an offset inside a
 * larger ArrayBuffer (zeroes around it), a Uint8Array over a SharedArrayBuffer, or a DataView
 * at an odd offset (any ArrayBufferView is bytes: written through its own data pointer).
 */
export type View = 'own' | 'offset' | 'shared' | 'dataview';

/** Calls on one reactor-side connection: usable as steps, from a timer, or inside dataReceived. */
export type ConnOp =
  | { t: 'write'; c: number; n: number; size: Size; view?: View }
  | { t: 'writeSeq'; c: number; n: number; size: Size; view?: View }
  | { t: 'lose'; c: number }
  | { t: 'abort'; c: number }
  | { t: 'loseWrite'; c: number }
  | { t: 'pause'; c: number }
  | { t: 'resume'; c: number }
  | { t: 'register'; c: number; streaming: boolean }
  | { t: 'unregister'; c: number }
  /** reactor.stop() / reactor.close() from a timer or inside dataReceived. */
  | { t: 'stopInside' }
  | { t: 'closeInside' };

export type Action =
  | ConnOp
  /** reactor.listenTCP / listenUNIX with the model's server factory. */
  | { t: 'listen'; fam: Fam }
  | { t: 'stopListening'; port: number }
  /** A node:net client connects to one of the reactor's ports. */
  | { t: 'peerConnect'; port: number }
  /** reactor.connectTCP / connectUNIX to a node:net server of the harness. */
  | { t: 'connect'; fam: Fam }
  /** connectUNIX to a path nobody listens on: clientConnectionFailed, no protocol. */
  | { t: 'connectRefused' }
  /**
   * connectTCP/UNIX, then at once (`now`: stopConnecting in the same turn) or from a 0 s timer
   * (`timer`: connector.disconnect(), whatever the state by then).
   */
  | { t: 'connectCancel'; fam: Fam; when: 'now' | 'timer' }
  /** adoptStreamConnection of one end of a socketpair; the other end is a node:net peer. */
  | { t: 'adopt' }
  | { t: 'peerWrite'; p: number; n: number; size?: Size }
  | { t: 'peerEnd'; p: number }
  | { t: 'peerDestroy'; p: number; reset: boolean }
  | { t: 'peerPause'; p: number }
  | { t: 'peerResume'; p: number }
  /** addReader of one end of a fresh socketpair (a raw descriptor the harness owns). */
  | { t: 'addReader' }
  | { t: 'rawWrite'; r: number }
  | { t: 'removeReader'; r: number }
  /** The owner closes the raw descriptor, then removes its reader (in that order, same turn). */
  | { t: 'rawCloseRemove'; r: number }
  | { t: 'later'; ms: number; a: ConnOp }
  /** Runs `a` inside connection c's next dataReceived (its peer is made to write a frame). */
  | { t: 'onData'; c: number; a: ConnOp }
  /** Runs `a` inside connection c's connectionLost (re-entrant calls during stop and close included). */
  | { t: 'onLost'; c: number; a: ConnOp }
  /** Connection c's next dataReceived throws (its peer is made to write a frame). */
  | { t: 'throwData'; c: number }
  /** The next protocol built throws from connectionMade. */
  | { t: 'throwMade' }
  /** Connection c's connectionLost throws. */
  | { t: 'throwLost'; c: number }
  | { t: 'wait'; ms: number }
  | { t: 'stop' }
  | { t: 'close' };

const idx = fc.nat({ max: 7 });
const fam = fc.constantFrom<Fam>('tcp4', 'tcp6', 'unix');
const size = fc.constantFrom<Size>('s', 's', 's', 'm', 'l');
const n = fc.integer({ min: 1, max: 3 });
const view = fc.constantFrom<View>('own', 'own', 'offset', 'shared', 'dataview');

export const connOp: fc.Arbitrary<ConnOp> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('write' as const), c: idx, n, size, view }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant('writeSeq' as const), c: idx, n, size, view }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('lose' as const), c: idx }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('abort' as const), c: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('loseWrite' as const), c: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('pause' as const), c: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('resume' as const), c: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('register' as const), c: idx, streaming: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('unregister' as const), c: idx }), weight: 1 },
  { arbitrary: fc.constant({ t: 'stopInside' as const }), weight: 1 },
  { arbitrary: fc.constant({ t: 'closeInside' as const }), weight: 1 },
);

const stepConnOp = connOp.filter((op) => op.t !== 'stopInside' && op.t !== 'closeInside');

export const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: stepConnOp, weight: 14 },
  { arbitrary: fc.record({ t: fc.constant('listen' as const), fam }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('stopListening' as const), port: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('peerConnect' as const), port: idx }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('connect' as const), fam }), weight: 3 },
  { arbitrary: fc.constant({ t: 'connectRefused' as const }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('connectCancel' as const), fam, when: fc.constantFrom<'now' | 'timer'>('now', 'timer') }), weight: 2 },
  { arbitrary: fc.constant({ t: 'adopt' as const }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('peerWrite' as const), p: idx, n, size }), weight: 9 },
  { arbitrary: fc.record({ t: fc.constant('peerEnd' as const), p: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('peerDestroy' as const), p: idx, reset: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('peerPause' as const), p: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('peerResume' as const), p: idx }), weight: 1 },
  { arbitrary: fc.constant({ t: 'addReader' as const }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('rawWrite' as const), r: idx }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('removeReader' as const), r: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('rawCloseRemove' as const), r: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('later' as const), ms: fc.constantFrom(0, 1, 3), a: connOp }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('onData' as const), c: idx, a: connOp }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('onLost' as const), c: idx, a: connOp }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('throwData' as const), c: idx }), weight: 1 },
  { arbitrary: fc.constant({ t: 'throwMade' as const }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('throwLost' as const), c: idx }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('wait' as const), ms: fc.constantFrom(0, 2, 5) }), weight: 2 },
  { arbitrary: fc.constant({ t: 'stop' as const }), weight: 1 },
  { arbitrary: fc.constant({ t: 'close' as const }), weight: 1 },
);

/** Most steps after the first connections (IOREACTOR_MODEL_STEPS, default 24). */
const STEPS = Number(process.env.IOREACTOR_MODEL_STEPS ?? 24);

/** A run: a few connections first (so most steps have something to act on), then anything. */
export const sequence: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.record({ t: fc.constant('connect' as const), fam }),
        fc.constant({ t: 'adopt' as const }),
        fc.record({ t: fc.constant('listen' as const), fam }),
        fc.record({ t: fc.constant('peerConnect' as const), port: idx }),
        fc.constant({ t: 'addReader' as const }),
      ),
      { maxLength: 4 },
    ),
    fc.array(action, { maxLength: STEPS }),
  )
  .map(([setup, rest]) => [...setup, ...rest]);
