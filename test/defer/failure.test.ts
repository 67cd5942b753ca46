// Failure: wrapping, trap/check, messages and tracebacks (twisted/test/test_failure.py in
// spirit, as used by test_defer.py).
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/defer/errors';
import { InvalidArgTypeError, IoReactorError } from '../../src/errors';
import { Deferred } from '../../src/defer/deferred';
import { Failure } from '../../src/defer/failure';
import { failureResultOf, GenericError, successResultOf, thrownBy } from './helpers';

class SubError extends GenericError {}

describe('Failure', () => {
  it('wraps a thrown value and reports its class', () => {
    const e = new RangeError('r');
    const f = new Failure(e);
    expect(f.value).toBe(e);
    expect(f.type).toBe(RangeError);
  });

  it('wraps primitives, null and undefined', () => {
    expect(new Failure('s').type).toBe(String);
    expect(new Failure(3).type).toBe(Number);
    expect(new Failure(null).type).toBeNull();
    expect(new Failure(undefined).type).toBeNull();
    expect(new Failure(undefined).getErrorMessage()).toBe('undefined');
  });

  it('wrapping a Failure copies it rather than nesting', () => {
    const inner = new Failure(new TypeError('t'));
    const outer = new Failure(inner);
    expect(outer.value).toBe(inner.value);
    expect(outer).not.toBe(inner);
  });

  it('check returns the first matching type, or null', () => {
    const f = new Failure(new SubError('x'));
    expect(f.check(TypeError, GenericError)).toBe(GenericError);
    expect(f.check(SubError, GenericError)).toBe(SubError);
    expect(f.check(TypeError)).toBeNull();
    expect(f.check()).toBeNull();
  });

  it('check accepts class names', () => {
    const f = new Failure(new SubError('x'));
    expect(f.check('GenericError')).toBe('GenericError');
    expect(f.check('Error')).toBe('Error');
    expect(f.check('TypeError')).toBeNull();
  });

  it('check of a primitive matches its wrapper class', () => {
    expect(new Failure('s').check(String)).toBe(String);
    expect(new Failure(null).check(Object)).toBeNull();
  });

  it('check uses the brand of ioreactor errors', () => {
    const f = new Failure(new CancelledError());
    expect(f.check(IoReactorError)).toBe(IoReactorError);
    expect(f.check(CancelledError)).toBe(CancelledError);
  });

  it('check rejects things that are not types', () => {
    expect(thrownBy(() => new Failure(1).check(42 as unknown as string))).toBeInstanceOf(InvalidArgTypeError);
  });

  it('trap returns the matching type', () => {
    expect(new Failure(new RangeError()).trap(TypeError, RangeError)).toBe(RangeError);
  });

  it('trap re-raises the Failure itself when nothing matches', () => {
    const f = new Failure(new RangeError('r'));
    expect(thrownBy(() => f.trap(TypeError))).toBe(f);
  });

  it('trap in an errback passes the same Failure to the next errback', () => {
    const d = new Deferred<number>();
    const f = new Failure(new RangeError('r'));
    d.addErrback((x) => x.trap(TypeError));
    d.errback(f);
    expect(failureResultOf(d)).toBe(f);
  });

  it('trap in an errback handles a matching failure', () => {
    const d = new Deferred<number>();
    d.addErrback((x) => {
      x.trap(RangeError);
      return 0;
    });
    d.errback(new RangeError());
    expect(successResultOf(d)).toBe(0);
  });

  it('getErrorMessage gives the message of an Error or the string of anything else', () => {
    expect(new Failure(new Error('msg')).getErrorMessage()).toBe('msg');
    expect(new Failure({ toString: () => 'custom' }).getErrorMessage()).toBe('custom');
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(new Failure(hostile).getErrorMessage()).toBe('[object Object]');
  });

  it('getTraceback gives the stack of an Error', () => {
    const e = new RangeError('where');
    expect(new Failure(e).getTraceback()).toBe(e.stack);
  });

  it('getTraceback of a non-Error names the class and the message', () => {
    expect(new Failure(7).getTraceback()).toBe('Number: 7');
  });

  it('raiseException throws the wrapped value', () => {
    const e = new TypeError('t');
    expect(thrownBy(() => new Failure(e).raiseException())).toBe(e);
  });

  it('throwExceptionIntoGenerator throws the value into a generator', () => {
    function* g(): Generator<number, string, unknown> {
      try {
        yield 1;
      } catch (e) {
        return (e as Error).message;
      }
      return 'no';
    }
    const gen = g();
    gen.next();
    expect(new Failure(new Error('into')).throwExceptionIntoGenerator(gen)).toEqual({ value: 'into', done: true });
  });

  it('cleanFailure freezes the traceback text', () => {
    const e = new Error('frozen');
    const f = new Failure(e);
    f.cleanFailure();
    const text = f.getTraceback();
    e.stack = 'changed';
    expect(f.getTraceback()).toBe(text);
  });

  it('toString names class and message', () => {
    expect(String(new Failure(new RangeError('bad')))).toBe('[Failure RangeError: bad]');
  });
});
