// Binding a parsed description to the argument names of an endpoint type, as Python binds
// `*args, **kwargs` to a parser's parameters, and turning the string values into the numbers,
// addresses and paths endpoints take, each mistake with its own code.
import { isIP } from 'node:net';
import { EndpointStringError, type EndpointStringErrorCode } from './errors';
import type { ParsedDescription } from './parser';

/** The arguments of one description, bound to names. What registered parsers receive. */
export class EndpointArguments {
  private readonly values = new Map<string, string>();

  /**
   * Binds the positional arguments to `names` in order, then the keyword ones by name. Too many
   * positional arguments or an unknown keyword: ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT; a name
   * given both ways: ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT.
   */
  constructor(
    readonly parsed: ParsedDescription,
    readonly description: string,
    names: readonly string[],
    positionalNames: readonly string[] = names,
  ) {
    if (parsed.positional.length > positionalNames.length) {
      this.fail(
        'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT',
        `${parsed.type}: at most ${positionalNames.length} positional argument(s), received ${parsed.positional.length}`,
      );
    }
    parsed.positional.forEach((value, i) => this.values.set(positionalNames[i], value));
    for (const [key, value] of parsed.keywords) {
      if (!names.includes(key)) {
        this.fail('ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT', `${parsed.type}: unknown argument ${JSON.stringify(key)} (known: ${names.join(', ')})`);
      }
      if (this.values.has(key)) this.fail('ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT', `${parsed.type}: argument ${JSON.stringify(key)} given twice`);
      this.values.set(key, value);
    }
  }

  /** Throws an EndpointStringError for this description. */
  fail(code: EndpointStringErrorCode, message: string): never {
    throw new EndpointStringError(code, message, this.description);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The raw string, or `fallback` when absent. */
  string(name: string, fallback?: string): string | undefined {
    return this.values.get(name) ?? fallback;
  }

  /** The raw string; absent: ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT. */
  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) this.fail('ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT', `${this.parsed.type}: missing argument ${JSON.stringify(name)}`);
    return value;
  }

  /** A decimal port: 0 to 65535 (`allowZero`) or 1 to 65535; else ERR_IOREACTOR_INVALID_PORT. */
  port(name: string, allowZero: boolean): number {
    const text = this.required(name);
    const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= (allowZero ? 0 : 1) && port <= 65535)) {
      this.fail(
        'ERR_IOREACTOR_INVALID_PORT',
        `${this.parsed.type}: ${name} must be an integer from ${allowZero ? 0 : 1} to 65535, received ${JSON.stringify(text)}`,
      );
    }
    return port;
  }

  /** A decimal integer in [min, max]. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max))
      this.fail(
        'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE',
        `${this.parsed.type}: ${name} must be an integer from ${min} to ${max}, received ${JSON.stringify(text)}`,
      );
    return n;
  }

  /** Seconds: a non-negative decimal number (`5`, `2.5`). */
  seconds(name: string, fallback: number): number {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    const n = /^[0-9]{1,9}(\.[0-9]{1,9})?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(n))
      this.fail('ERR_IOREACTOR_ENDPOINT_INVALID_VALUE', `${this.parsed.type}: ${name} must be a number of seconds, received ${JSON.stringify(text)}`);
    return n;
  }

  /** A file mode in octal (`666`, `0600`), as Twisted's `int(mode, 8)`. */
  octal(name: string, fallback: number): number {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    if (!/^[0-7]{1,4}$/.test(text))
      this.fail(
        'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE',
        `${this.parsed.type}: ${name} must be an octal file mode (0 to 7777), received ${JSON.stringify(text)}`,
      );
    return parseInt(text, 8);
  }

  /** A Twisted boolean flag (`bool(int(value))`): '0' or '1'. */
  flag(name: string, fallback: boolean): boolean {
    const text = this.values.get(name);
    if (text === undefined) return fallback;
    if (text !== '0' && text !== '1')
      this.fail('ERR_IOREACTOR_ENDPOINT_INVALID_VALUE', `${this.parsed.type}: ${name} must be 0 or 1, received ${JSON.stringify(text)}`);
    return text === '1';
  }

  /** A numeric address of IP `version` (4 or 6), or `fallback` when absent. */
  numericAddress(name: string, version: 4 | 6 | 'any', fallback: string): string {
    const text = this.values.get(name) ?? fallback;
    if (text === '' && text === fallback) return text;
    const v = isIP(text);
    if (v === 0 || (version !== 'any' && v !== version)) {
      const wanted = version === 'any' ? 'a numeric IPv4 or IPv6 address' : `a numeric IPv${version} address`;
      this.fail('ERR_IOREACTOR_INVALID_ADDRESS', `${this.parsed.type}: ${name} must be ${wanted}, received ${JSON.stringify(text)}`);
    }
    return text;
  }

  /** A host name or numeric address: no whitespace or NUL, 1 to 253 characters. */
  host(name: string): string {
    const text = this.required(name);
    if (text.length === 0 || text.length > 253 || /[\s\0]/.test(text)) {
      this.fail('ERR_IOREACTOR_INVALID_ADDRESS', `${this.parsed.type}: ${name} must be a host name or numeric address, received ${JSON.stringify(text)}`);
    }
    return text;
  }

  /** A UNIX socket path: 1 to 107 bytes, no NUL except a leading one (a Linux abstract name). */
  unixPath(name: string): string {
    const text = this.required(name);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes === 0 || bytes > 107 || text.indexOf('\0', 1) !== -1) {
      this.fail(
        'ERR_IOREACTOR_INVALID_PATH',
        `${this.parsed.type}: ${name} must be 1 to 107 bytes with no NUL except a leading one, received ${JSON.stringify(text)}`,
      );
    }
    return text;
  }
}
