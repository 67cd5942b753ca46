// IReactorFDSet conformance: one suite, run for every backend x trigger mode.
import { closeSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConnectionDone, ConnectionLost, openPipe, openSocketPair, type IReadDescriptor } from '../../src/index';
import { CountingWriter, DrainingReader, drain, fill } from '../support/descriptors';
import { expectLogged } from '../support/logged';
import { closeAll, newReactor, RecordingLogger, runReactor, VARIANTS } from '../support/reactors';

describe.each(VARIANTS)('IReactorFDSet on $name', (variant) => {
  it('reports a pipe readable once data arrives, and delivers every byte', async () => {
    const [r, w] = openPipe();
    const reactor = newReactor(variant);
    try {
      await runReactor(reactor, (done) => {
        const reader = new DrainingReader(r, (self) => {
          if (self.text === 'hello pipe') done();
        });
        reactor.addReader(reader);
        reactor.callLater(0.01, () => writeSync(w, 'hello '));
        reactor.callLater(0.03, () => writeSync(w, 'pipe'));
      });
    } finally {
      closeAll([r, w]);
    }
  });

  it('reports a socketpair writable, and readable in the other direction', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      await runReactor(reactor, (done) => {
        const writer = new CountingWriter(a, () => {
          writeSync(a, 'ping');
          reactor.removeWriter(writer);
          return undefined;
        });
        reactor.addWriter(writer);
        reactor.addReader(new DrainingReader(b, (self) => self.text === 'ping' && done()));
      });
    } finally {
      closeAll([a, b]);
    }
  });

  it('does not report a writer whose peer stopped reading and the buffer is full, until drained', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      fill(a);
      await runReactor(reactor, (done, fail) => {
        const writer = new CountingWriter(a, () => {
          reactor.removeWriter(writer);
          done();
          return undefined;
        });
        reactor.addWriter(writer);
        reactor.callLater(0.05, () => {
          if (writer.writes !== 0) fail(new Error('reported writable with a full buffer'));
          drain(b, 100000);
        });
      });
    } finally {
      closeAll([a, b]);
    }
  });

  it('treats a second addReader of the same descriptor as a no-op and removeReader as idempotent', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      const reader = new DrainingReader(a);
      reactor.addReader(reader);
      reactor.addReader(reader);
      expect(reactor.getReaders()).toEqual([reader]);
      reactor.removeReader(reader);
      reactor.removeReader(reader);
      expect(reactor.getReaders()).toEqual([]);
      // Re-adding after removal works and is dispatched.
      await runReactor(reactor, (done) => {
        reactor.addReader(new DrainingReader(a, (self) => self.text === 'x' && done()));
        writeSync(b, 'x');
      });
    } finally {
      closeAll([a, b]);
    }
  });

  it('keeps reader and writer of one descriptor independent', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      const reader = new DrainingReader(a);
      const writer = new CountingWriter(a);
      reactor.addReader(reader);
      reactor.addWriter(writer);
      expect(reactor.getWriters()).toEqual([writer]);
      reactor.removeWriter(writer);
      expect(reactor.getReaders()).toEqual([reader]);
      expect(reactor.getWriters()).toEqual([]);
      await runReactor(reactor, (done) => {
        writeSync(b, 'still reading');
        reactor.callLater(0.05, () => {
          expect(reader.text).toBe('still reading');
          expect(writer.writes).toBe(0);
          done();
        });
      });
    } finally {
      closeAll([a, b]);
    }
  });

  it('removeAll removes every reader and writer and returns them', async () => {
    const pairs = [openSocketPair(), openSocketPair()];
    const reactor = newReactor(variant);
    try {
      const r0 = new DrainingReader(pairs[0][0]);
      const w0 = new CountingWriter(pairs[0][1]);
      const r1 = new DrainingReader(pairs[1][0]);
      reactor.addReader(r0);
      reactor.addWriter(w0);
      reactor.addReader(r1);
      const removed = reactor.removeAll();
      expect(new Set(removed)).toEqual(new Set([r0, w0, r1]));
      expect(reactor.getReaders()).toEqual([]);
      expect(reactor.getWriters()).toEqual([]);
      await runReactor(reactor, (done) => {
        writeSync(pairs[0][1], 'ignored');
        writeSync(pairs[1][1], 'ignored');
        reactor.callLater(0.05, done);
      });
      expect(r0.reads + r1.reads + w0.writes).toBe(0);
    } finally {
      closeAll(pairs.flat());
    }
  });

  it('never dispatches a stale report for a descriptor closed, and its number reused, in the same batch', async () => {
    const first = openSocketPair();
    const second = openSocketPair();
    const reactor = newReactor(variant);
    const opened: number[] = [];
    const wronglyCalled: string[] = [];
    let reused = false;
    try {
      await runReactor(reactor, (done) => {
        // Both descriptors are readable before the first wait, so both reports share a batch.
        // Whichever runs first closes the other and reuses its number at once.
        let acted = false;
        const readers: IReadDescriptor[] = [];
        const make = (own: number, other: () => IReadDescriptor, otherFd: number): IReadDescriptor => ({
          fileno: () => own,
          doRead() {
            if (acted) {
              wronglyCalled.push(`stale reader for ${own}`);
              return undefined;
            }
            acted = true;
            drain(own);
            reactor.removeReader(other());
            closeSync(otherFd);
            const fresh = openSocketPair();
            opened.push(...fresh);
            reused = fresh.includes(otherFd);
            // The reused number is registered again, with nothing to read: any call is wrong.
            reactor.addReader({ fileno: () => otherFd, doRead: () => void wronglyCalled.push('new reader'), connectionLost: () => {} });
            reactor.callLater(0.05, done);
            return undefined;
          },
          connectionLost: () => {},
        });
        readers.push(make(first[0], () => readers[1], second[0]));
        readers.push(make(second[0], () => readers[0], first[0]));
        writeSync(first[1], 'a');
        writeSync(second[1], 'b');
        reactor.addReader(readers[0]);
        reactor.addReader(readers[1]);
      });
      expect(reused).toBe(true);
      expect(wronglyCalled).toEqual([]);
    } finally {
      closeAll([...first, ...second, ...opened]);
    }
  });

  it('logs a reader that throws, removes it, tells it why, and keeps running', async () => {
    const [a, b] = openSocketPair();
    const [c, d] = openSocketPair();
    const logger = new RecordingLogger();
    const reactor = newReactor(variant, { logger });
    const boom = new Error('boom');
    const logged = expectLogged(/^\[RecordingLogger\] Unhandled error in doRead of .*: Error: boom$/);
    let lostWith: unknown;
    try {
      await runReactor(reactor, (done) => {
        const bad: IReadDescriptor = {
          fileno: () => a,
          doRead() {
            throw boom;
          },
          connectionLost(reason) {
            lostWith = reason.value;
          },
        };
        reactor.addReader(bad);
        writeSync(b, 'trigger');
        reactor.callLater(0.03, () => {
          expect(reactor.getReaders()).not.toContain(bad);
          // The reactor still serves others.
          reactor.addReader(new DrainingReader(c, (self) => self.text === 'alive' && done()));
          writeSync(d, 'alive');
        });
      });
      expect(lostWith).toBe(boom);
      expect(logger.errors).toHaveLength(1);
      expect(logger.errors[0].error).toBe(boom);
      expect(logger.errors[0].message).toMatch(/doRead/);
      expect(logged.errors).toEqual([boom]);
    } finally {
      closeAll([a, b, c, d]);
    }
  });

  it('drops a reader that returns an Error, with that reason', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      let reader!: DrainingReader;
      await runReactor(reactor, (done) => {
        reader = new DrainingReader(a);
        reactor.addReader(reader);
        closeSync(b); // EOF: DrainingReader returns ConnectionDone
        reactor.callLater(0.05, done);
      });
      expect(reader.lost?.value).toBeInstanceOf(ConnectionDone);
      expect(reactor.closed).toBe(true);
    } finally {
      closeAll([a, b]);
    }
  });

  it('tells registered descriptors ConnectionLost when the reactor shuts down', async () => {
    const [a, b] = openSocketPair();
    const reactor = newReactor(variant);
    try {
      const reader = new DrainingReader(a);
      await runReactor(reactor, (done) => {
        reactor.addReader(reader);
        done();
      });
      expect(reader.lost?.value).toBeInstanceOf(ConnectionLost);
    } finally {
      closeAll([a, b]);
    }
  });

  it('watches 10 000 descriptors at once and dispatches every one', async () => {
    const pairs = Array.from({ length: 5000 }, () => openSocketPair());
    const reactor = newReactor(variant);
    let readers: DrainingReader[] = [];
    try {
      await runReactor(
        reactor,
        (done) => {
          let complete = 0;
          readers = pairs.flat().map(
            (fd) =>
              new DrainingReader(fd, (self) => {
                if (self.text.length === 1 && self.reads === 1) complete++;
                reactor.removeReader(self);
                if (complete === 10000) done();
              }),
          );
          for (const r of readers) reactor.addReader(r);
          for (const [x, y] of pairs) {
            writeSync(x, 'x');
            writeSync(y, 'y');
          }
        },
        30,
      );
      expect(readers.every((r) => r.text.length === 1)).toBe(true);
    } finally {
      closeAll(pairs.flat());
    }
  });
});
