// spawnProcess and the process transport refuse bad input with coded errors, at the call.
import { describe, expect, it } from 'vitest';
import { ProcessProtocol, Reactor, ReactorClosed, ReactorSystemError } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { RecordingProcess } from './process-recorder';

/** The error `f` throws (undefined if none). */
function thrownBy(f: () => unknown): { name?: string; code?: string; syscall?: string } | undefined {
  try {
    f();
  } catch (err) {
    return err as { name?: string; code?: string };
  }
  return undefined;
}

describe('spawnProcess arguments', () => {
  const reactor = new Reactor();
  const spawn = (...args: unknown[]): unknown => (reactor.spawnProcess as (...a: unknown[]) => unknown)(...args);
  const protocol = new ProcessProtocol();

  it.each([
    ['a protocol that is no ProcessProtocol', [{}, '/bin/true'], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['an executable that is not a string', [protocol, 42], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['an empty executable', [protocol, ''], 'InvalidArgValueError', 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['an executable with a NUL', [protocol, '/bin/true\0x'], 'InvalidArgValueError', 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['args that are not an array', [protocol, '/bin/true', 'true'], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['args that are not all strings', [protocol, '/bin/true', ['true', 1]], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['options that are not an object', [protocol, '/bin/true', ['true'], 'x'], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ['an env value that is not a string', [protocol, '/bin/true', ['true'], { env: { A: 1 } }], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    ["an env name with '='", [protocol, '/bin/true', ['true'], { env: { 'A=B': 'c' } }], 'InvalidArgValueError', 'ERR_IOREACTOR_INVALID_ARG_VALUE'],
    ['a path that is not a string', [protocol, '/bin/true', ['true'], { path: 3 }], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
    [
      'a childFDs key that is no descriptor',
      [protocol, '/bin/true', ['true'], { childFDs: { x: 'r' } }],
      'InvalidArgValueError',
      'ERR_IOREACTOR_INVALID_CHILD_FD',
    ],
    [
      'a childFDs value that is no direction',
      [protocol, '/bin/true', ['true'], { childFDs: { 0: 'rw' } }],
      'InvalidArgValueError',
      'ERR_IOREACTOR_INVALID_CHILD_FD',
    ],
    ['childFDs that are not an object', [protocol, '/bin/true', ['true'], { childFDs: [] }], 'InvalidArgTypeError', 'ERR_IOREACTOR_INVALID_ARG_TYPE'],
  ])('refuses %s', (_what, args, name, code) => {
    const err = thrownBy(() => spawn(...args));
    expect(err?.name).toBe(name);
    expect(err?.code).toBe(code);
  });

  it('throws ENOENT at the call for an executable that does not exist, by path or by PATH search', () => {
    for (const executable of ['/nonexistent/ioreactor-no-such-program', 'ioreactor-no-such-program']) {
      const err = thrownBy(() => reactor.spawnProcess(new ProcessProtocol(), executable));
      expect(err).toBeInstanceOf(ReactorSystemError);
      expect(err?.code).toBe('ENOENT');
      expect(err?.syscall).toBe('posix_spawn');
    }
  });

  it('throws EBADF for an inherited descriptor that is not open', () => {
    const err = thrownBy(() => reactor.spawnProcess(new ProcessProtocol(), '/bin/true', ['true'], { childFDs: { 0: 999_999 } }));
    expect(err?.code).toBe('EBADF');
  });

  it('refuses to spawn on a closed reactor', () => {
    const closed = new Reactor();
    closed.close();
    expect(thrownBy(() => closed.spawnProcess(new ProcessProtocol(), '/bin/true'))).toBeInstanceOf(ReactorClosed);
    reactor.close();
  });
});

describe.each(VARIANTS)('process transport arguments on $name', (variant) => {
  it('refuses strings, unknown signals and descriptors the parent does not write to, with codes', async () => {
    const reactor = newReactor(variant);
    const errors: Record<string, ReturnType<typeof thrownBy>> = {};
    await runReactor(reactor, (done) => {
      const p = new RecordingProcess(
        () => done(),
        (self) => {
          const t = self.transport;
          errors.string = thrownBy(() => t.write('text' as unknown as Buffer));
          errors.sequence = thrownBy(() => t.writeSequence([Buffer.from('a'), 'b' as unknown as Buffer]));
          errors.readPipe = thrownBy(() => t.writeToChild(1, Buffer.from('x')));
          errors.signalName = thrownBy(() => t.signalProcess('BOGUS'));
          errors.signalNumber = thrownBy(() => t.signalProcess(999));
          errors.signalType = thrownBy(() => t.signalProcess({} as unknown as number));
          errors.closeFd = thrownBy(() => t.closeChildFD(-1));
          t.closeStdin();
        },
      );
      reactor.spawnProcess(p, 'cat');
    });
    expect(errors.string?.code).toBe('ERR_IOREACTOR_INVALID_DATA');
    expect(errors.sequence?.code).toBe('ERR_IOREACTOR_INVALID_DATA');
    expect(errors.readPipe?.code).toBe('ERR_IOREACTOR_INVALID_CHILD_FD');
    expect(errors.signalName?.code).toBe('ERR_IOREACTOR_UNKNOWN_SIGNAL');
    expect(errors.signalNumber?.code).toBe('ERR_IOREACTOR_UNKNOWN_SIGNAL');
    expect(errors.signalType?.code).toBe('ERR_IOREACTOR_INVALID_ARG_TYPE');
    expect(errors.closeFd?.code).toBe('ERR_IOREACTOR_INVALID_CHILD_FD');
  });
});
