// The error brand: `instanceof` works across two copies of ioreactor in one process (a
// dependency pinned at another version, say), parent classes included, and branding costs
// nothing per construction.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as baseA from '../../src/errors';
import * as deferA from '../../src/defer/errors';
import * as taskA from '../../src/task/errors';
import * as reactorA from '../../src/reactor/errors';
import * as transportA from '../../src/transport/errors';
import * as ampA from '../../src/protocols/amp/errors';
import * as basicA from '../../src/protocols/basic/errors';
import * as policiesA from '../../src/protocols/policies/errors';
import * as workersA from '../../src/workers/errors';
import * as datagramA from '../../src/datagram/errors';
import { Failure } from '../../src/defer/failure';

type Modules = {
  base: typeof baseA;
  defer: typeof deferA;
  task: typeof taskA;
  reactor: typeof reactorA;
  transport: typeof transportA;
  amp: typeof ampA;
  basic: typeof basicA;
  policies: typeof policiesA;
  workers: typeof workersA;
  datagram: typeof datagramA;
};

const copyA: Modules = {
  base: baseA,
  defer: deferA,
  task: taskA,
  reactor: reactorA,
  transport: transportA,
  amp: ampA,
  basic: basicA,
  policies: policiesA,
  workers: workersA,
  datagram: datagramA,
};
let copyB: Modules;

beforeAll(async () => {
  // A second, independent evaluation of the same sources: what a second install gives.
  vi.resetModules();
  copyB = {
    base: await import('../../src/errors'),
    defer: await import('../../src/defer/errors'),
    task: await import('../../src/task/errors'),
    reactor: await import('../../src/reactor/errors'),
    transport: await import('../../src/transport/errors'),
    amp: await import('../../src/protocols/amp/errors'),
    basic: await import('../../src/protocols/basic/errors'),
    policies: await import('../../src/protocols/policies/errors'),
    workers: await import('../../src/workers/errors'),
    datagram: await import('../../src/datagram/errors'),
  };
});

type AnyClass = abstract new (...args: never[]) => object;

/** Every branded class of one copy, by name. */
function classes(copy: Modules): Map<string, AnyClass> {
  const out = new Map<string, AnyClass>();
  for (const mod of Object.values(copy)) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function' && value.prototype instanceof Error) out.set(name, value as AnyClass);
    }
  }
  return out;
}

/** One instance of each class, made with arguments its constructor accepts. */
function instances(copy: Modules): Map<string, object> {
  const failure = new Failure(new Error('boom'));
  const args: Record<string, unknown[]> = {
    IoReactorError: ['ERR_X', 'x'],
    SchedulerError: ['ERR_X', 'x'],
    TaskFinished: ['ERR_X', 'x'],
    InvalidArgTypeError: ['t'],
    InvalidArgValueError: ['v'],
    ReactorSystemError: [-9, 'close'],
    FirstError: [failure, 0],
    FailureGroup: [[failure]],
    UnhandledDeferredError: [[failure]],
    TooLong: ['key', true, 300],
    RemoteAmpError: ['CODE', 'description'],
    UnknownRemoteError: ['description'],
    MalformedAmpValue: ['bad'],
    InvalidSignature: ['bad'],
    BadLocalReturn: ['bad'],
    NetstringParseError: ['too-long', 'bad'],
    StringTooLongError: [300, 255],
    AdmissionRefusedError: ['tenant', 10],
    RemoteError: [{ name: 'TypeError', message: 'm', stack: undefined, code: undefined, isError: true }],
    WorkerModuleNotFound: ['file:///x.mjs'],
    WorkerExportNotFunction: ['file:///x.mjs', 'f', 'number'],
    WorkerExited: [1],
    PoolQueueFull: [1],
    DatagramTruncatedError: ['cut', 3000],
  };
  const out = new Map<string, object>();
  for (const [name, cls] of classes(copy)) {
    out.set(name, new (cls as unknown as new (...a: unknown[]) => object)(...(args[name] ?? [])));
  }
  return out;
}

describe('error brand across duplicate installs', () => {
  it('the second copy really has distinct classes', () => {
    expect(copyB.transport.ConnectionLost).not.toBe(copyA.transport.ConnectionLost);
    expect(copyB.base.IoReactorError).not.toBe(copyA.base.IoReactorError);
    expect(classes(copyA).size).toBe(62);
  });

  it('every instance of one copy is instanceof exactly the classes of the other copy that it is of its own', () => {
    const aClasses = classes(copyA);
    const bClasses = classes(copyB);
    for (const [name, instance] of instances(copyA)) {
      for (const [other, aClass] of aClasses) {
        const bClass = bClasses.get(other)!;
        expect(instance instanceof bClass, `${name} instanceof ${other} (other copy)`).toBe(instance instanceof aClass);
      }
    }
  });

  it("a subclass instance from one copy matches the other copy's parent classes", () => {
    const done = new copyA.task.TaskDone();
    expect(done).toBeInstanceOf(copyB.task.TaskDone);
    expect(done).toBeInstanceOf(copyB.task.TaskFinished);
    expect(done).toBeInstanceOf(copyB.task.SchedulerError);
    expect(done).toBeInstanceOf(copyB.base.IoReactorError);
    expect(done).not.toBeInstanceOf(copyB.task.TaskStopped);
    expect(done).not.toBeInstanceOf(copyB.defer.CancelledError);

    const refused = new copyB.transport.ConnectionRefusedError();
    expect(refused).toBeInstanceOf(copyA.transport.ConnectError);
    expect(refused).toBeInstanceOf(copyA.base.IoReactorError);
    expect(refused).not.toBeInstanceOf(copyA.transport.ConnectionLost);

    const tooLong = new copyB.basic.StringTooLongError(300, 255);
    expect(tooLong).toBeInstanceOf(copyA.base.InvalidArgValueError);
    expect(tooLong).toBeInstanceOf(RangeError);
    expect(tooLong).not.toBeInstanceOf(copyA.base.IoReactorError);
  });

  it('Failure.check matches a class of the other copy', () => {
    const f = new Failure(new copyB.defer.CancelledError());
    expect(f.check(copyA.defer.CancelledError)).toBe(copyA.defer.CancelledError);
    expect(f.check(copyA.base.IoReactorError)).toBe(copyA.base.IoReactorError);
    expect(f.check(copyA.defer.TimeoutError)).toBeNull();
  });

  it('a user subclass without a brand of its own uses the prototype chain', () => {
    class MyLost extends copyA.transport.ConnectionLost {}
    const mine = new MyLost();
    expect(mine).toBeInstanceOf(MyLost);
    expect(mine).toBeInstanceOf(copyA.transport.ConnectionLost);
    expect(mine).toBeInstanceOf(copyB.transport.ConnectionLost);
    expect(mine).toBeInstanceOf(copyB.base.IoReactorError);
    expect(new copyA.transport.ConnectionLost()).not.toBeInstanceOf(MyLost);
    expect(new copyB.transport.ConnectionLost()).not.toBeInstanceOf(MyLost);
  });

  it('non-objects are instances of nothing', () => {
    for (const value of [null, undefined, 0, 'ConnectionLost', true, Symbol('x'), {}, () => {}, new Error('plain')]) {
      expect(value instanceof copyA.base.IoReactorError).toBe(false);
      expect(value instanceof copyB.transport.ConnectionLost).toBe(false);
    }
  });

  it('branding adds nothing to an instance: the brand is on the prototypes', () => {
    for (const [name, instance] of instances(copyA)) {
      expect(Object.getOwnPropertySymbols(instance), name).toEqual([]);
    }
    const lost = new copyA.transport.ConnectionLost();
    expect(Object.getOwnPropertyDescriptor(copyA.transport.ConnectionLost.prototype, Symbol.for('ioreactor.error.ConnectionLost'))?.get).toBeTypeOf('function');
    expect((lost as unknown as Record<symbol, unknown>)[Symbol.for('ioreactor.error.IoReactorError')]).toBe(true);
  });
});
