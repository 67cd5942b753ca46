// Argument checks and value descriptions shared by every folder. Each throws an
// InvalidArgTypeError or InvalidArgValueError (src/errors.ts) with a stable code.
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';

/** Describes a value for an error message without dumping large objects. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function assertFunction(value: unknown, what: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw new InvalidArgTypeError(`${what} must be a function, received ${describe(value)}`);
  }
}

/** A finite number >= 0 (a delay or a timeout, in seconds). */
export function assertNonNegativeNumber(value: unknown, what: string, code = 'ERR_IOREACTOR_INVALID_ARG_VALUE'): asserts value is number {
  if (typeof value !== 'number') {
    throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgValueError(`${what} must be a finite number >= 0, received ${value}`, code);
  }
}

/** Any finite number (an offset that may be negative). */
export function assertFiniteNumber(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new InvalidArgTypeError(`${what} must be a number, received ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw new InvalidArgValueError(`${what} must be a finite number, received ${value}`);
  }
}

/** An options argument: undefined is no options; anything but an object is refused. */
export function optionsObject<T extends object>(options: unknown): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
  return options as Partial<T>;
}

/** A descriptor number: an integer from 0 to 2^31 - 1. */
export function assertDescriptorNumber(fd: unknown, what = 'fd'): asserts fd is number {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw new InvalidArgValueError(`${what} must be a non-negative integer, received ${describe(fd)}`, 'ERR_IOREACTOR_INVALID_FD');
  }
}

export function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, code: string): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgValueError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${describe(value)}`, code);
  }
}

/** The bytes every transport's `write` takes: any ArrayBufferView. Strings are refused, as in Twisted. */
export function assertBytes(data: unknown, what = 'write()'): asserts data is ArrayBufferView {
  if (!ArrayBuffer.isView(data)) {
    throw new InvalidArgTypeError(
      `${what} takes bytes (a Buffer, Uint8Array or other ArrayBufferView), received ${describe(data)}; encode strings first`,
      'ERR_IOREACTOR_INVALID_DATA',
    );
  }
  // A DataView over a detached buffer (transferred to a worker) throws a bare TypeError from
  // every length and offset read. A detached typed array reads as empty and needs no check.
  if (data instanceof DataView && isDetachedDataView(data)) {
    throw new InvalidArgTypeError(`${what} takes bytes, received a DataView whose buffer is detached`, 'ERR_IOREACTOR_INVALID_DATA');
  }
}

function isDetachedDataView(view: DataView): boolean {
  try {
    return view.byteLength < 0;
  } catch {
    return true;
  }
}

/** The chunks of a `writeSequence`, every one checked before any is written. */
export function bytesSequence(data: unknown): ArrayBufferView[] {
  if (data === null || typeof data === 'string' || typeof (data as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function') {
    throw new InvalidArgTypeError(`writeSequence() takes an iterable of bytes, received ${describe(data)}`, 'ERR_IOREACTOR_INVALID_DATA');
  }
  const chunks = [...(data as Iterable<unknown>)];
  for (const chunk of chunks) {
    if (!ArrayBuffer.isView(chunk))
      throw new InvalidArgTypeError(`writeSequence() takes bytes only, received ${describe(chunk)}`, 'ERR_IOREACTOR_INVALID_DATA');
    assertBytes(chunk, 'writeSequence()');
  }
  return chunks as ArrayBufferView[];
}
