/**
 * The textual formats Twisted's AMP arguments use, which are Python's: `int()`, `float()`,
 * `repr(float)`, `decimal.Decimal()` and `repr(bytes)`. Writing them exactly as Python does
 * makes ioreactor's boxes byte-identical to Twisted's, and reading what Python reads keeps
 * every Twisted peer's values acceptable.
 */

// Python's str.strip() for bytes strips ASCII whitespace (space, \t, \n, \r, \v, \f).
const WS = '[ \\t\\n\\r\\v\\f]*';
const DIGITS = '\\d(?:_?\\d)*';
const INT_RE = new RegExp(`^${WS}([+-]?)(${DIGITS})${WS}$`);
const FLOAT_RE = new RegExp(`^${WS}([+-]?(?:(?:${DIGITS})(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?)${WS}$`);
const FLOAT_SPECIAL_RE = new RegExp(`^${WS}([+-]?)(inf|infinity|nan)${WS}$`, 'i');
const DECIMAL_RE = new RegExp(
  `^${WS}[+-]?(?:(?:(?:${DIGITS})(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|s?nan(?:${DIGITS})?)${WS}$`,
  'i',
);

/** Parses Python `int(text)` syntax (base 10) as a bigint, or returns undefined. */
export function parsePythonInt(text: string): bigint | undefined {
  const m = INT_RE.exec(text);
  if (m === null) return undefined;
  const n = BigInt(m[2].replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

/** Parses Python `float(text)` syntax, or returns undefined. */
export function parsePythonFloat(text: string): number | undefined {
  const m = FLOAT_RE.exec(text);
  if (m !== null) return Number(m[1].replace(/_/g, ''));
  const s = FLOAT_SPECIAL_RE.exec(text);
  if (s === null) return undefined;
  if (s[2].toLowerCase() === 'nan') return NaN;
  return s[1] === '-' ? -Infinity : Infinity;
}

/** True when `text` is something Python's `decimal.Decimal(text)` accepts. */
export function isPythonDecimal(text: string): boolean {
  return DECIMAL_RE.test(text);
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (as JavaScript's own), laid out
 * as Python does: scientific notation below 1e-4 or from 1e16 on, with a signed exponent of at
 * least two digits; otherwise positional with at least one digit after the point.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/** Python's `repr(bytes)` of `text` (latin1, one character per byte): `b'Sum'`. */
export function pythonBytesRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = 'b' + quote;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i];
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}
