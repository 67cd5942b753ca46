// Every public reactor entry point rejects bad input with a typed error and a stable code,
// and the reactor keeps working afterwards.
import { writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgTypeError, InvalidArgValueError, openSocketPair, Reactor, ReactorSystemError, type IReadDescriptor } from '../../src/index';
import { DrainingReader } from '../support/descriptors';
import { closeAll, newReactor, runReactor, VARIANTS } from '../support/reactors';

function readerFor(fd: unknown): IReadDescriptor {
  return { fileno: () => fd as number, doRead: () => undefined, connectionLost: () => {} };
}

describe('Reactor options', () => {
  it.each([
    [{ backend: 'select' }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_BACKEND'],
    [{ backend: 42 }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_BACKEND'],
    [{ trigger: 'rising' }, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_TRIGGER'],
    [{ backend: 'poll', trigger: 'edge' }, InvalidArgValueError, 'ERR_IOREACTOR_UNSUPPORTED_TRIGGER'],
    [{ backend: 'poll', trigger: 'oneshot' }, InvalidArgValueError, 'ERR_IOREACTOR_UNSUPPORTED_TRIGGER'],
    [{ logger: {} }, InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['edge', InvalidArgTypeError, 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
  ])('rejects %j', (options, type, code) => {
    const attempt = (): Reactor => new Reactor(options as never);
    expect(attempt).toThrow(type);
    expect(attempt).toThrow(expect.objectContaining({ code }));
  });

  it('names a backend this platform does not have', () => {
    const missing = process.platform === 'linux' ? 'kqueue' : 'epoll';
    expect(() => new Reactor({ backend: missing })).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_BACKEND_UNAVAILABLE' }));
  });
});

describe.each(VARIANTS)('bad descriptors on $name', (variant) => {
  it.each([
    ['a negative fd', -1, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_FD'],
    ['a fractional fd', 3.5, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_FD'],
    ['NaN', Number.NaN, InvalidArgValueError, 'ERR_IOREACTOR_INVALID_FD'],
    ['a string fd', '3', InvalidArgValueError, 'ERR_IOREACTOR_INVALID_FD'],
  ])('rejects %s', (_what, fd, type, code) => {
    const reactor = newReactor(variant);
    try {
      expect(() => reactor.addReader(readerFor(fd))).toThrow(type);
      expect(() => reactor.addWriter({ fileno: () => fd as number, doWrite: () => undefined, connectionLost: () => {} })).toThrow(
        expect.objectContaining({ code }),
      );
      expect(reactor.getReaders()).toEqual([]);
    } finally {
      reactor.close();
    }
  });

  it('rejects a descriptor number that is not open with EBADF', () => {
    const reactor = newReactor(variant);
    try {
      const err = (() => {
        try {
          reactor.addReader(readerFor(19_999));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ReactorSystemError);
      expect(err).toMatchObject({ code: 'EBADF', errno: -9 });
      expect(reactor.getReaders()).toEqual([]);
    } finally {
      reactor.close();
    }
  });

  it('rejects objects that are not descriptors, and bad options', () => {
    const reactor = newReactor(variant);
    try {
      expect(() => reactor.addReader(null as never)).toThrow(InvalidArgTypeError);
      expect(() => reactor.addReader({ fileno: () => 0 } as never)).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' }));
      expect(() => reactor.addWriter({ fileno: () => 0, doRead: () => 0 } as never)).toThrow(InvalidArgTypeError);
      expect(() => reactor.addReader(readerFor(0), { trigger: 'sideways' as never })).toThrow(
        expect.objectContaining({ code: 'ERR_IOREACTOR_INVALID_TRIGGER' }),
      );
      expect(() => reactor.callWhenRunning(42 as never)).toThrow(InvalidArgTypeError);
      expect(() => reactor.addSystemEventTrigger('before', 'x', null as never)).toThrow(InvalidArgTypeError);
      expect(() => reactor.fireSystemEvent(3 as never)).toThrow(InvalidArgTypeError);
    } finally {
      reactor.close();
    }
  });

  it('keeps working after every rejection', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      expect(() => reactor.addReader(readerFor(-5))).toThrow();
      expect(() => reactor.addReader(readerFor(19_998))).toThrow();
      expect(() => reactor.callLater(Number.NaN, () => {})).toThrow();
      await runReactor(reactor, (done) => {
        reactor.addReader(new DrainingReader(a, (self) => self.text === 'ok' && done()));
        writeSync(b, 'ok');
      });
    } finally {
      closeAll([a, b]);
    }
  });
});

describe('per-registration trigger override', () => {
  it('lets an edge descriptor live in a level reactor (epoll) and refuses edge on poll', async () => {
    const poll = new Reactor({ backend: 'poll' });
    expect(() => poll.addReader(readerFor(0), { trigger: 'edge' })).toThrow(expect.objectContaining({ code: 'ERR_IOREACTOR_UNSUPPORTED_TRIGGER' }));
    poll.close();
    const [a, b] = openSocketPair();
    const reactor = new Reactor({ trigger: 'level' });
    try {
      let calls = 0;
      await runReactor(reactor, (done) => {
        // Edge: one report for one write even though this reader leaves the byte unread.
        reactor.addReader({ fileno: () => a, doRead: () => void calls++, connectionLost: () => {} }, { trigger: 'edge' });
        writeSync(b, 'x');
        reactor.callLater(0.05, done);
      });
      expect(calls).toBe(1);
    } finally {
      closeAll([a, b]);
    }
  });
});
