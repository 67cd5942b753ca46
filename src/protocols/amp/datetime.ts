/**
 * AMP's DateTime argument: a date and time with microseconds and a fixed UTC offset, in
 * Twisted's 32-character format `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM`.
 */
import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { MalformedAmpValue } from './errors';
import { describe } from '../../util/validate';
import { Argument } from './argument';

/** The fields of an {@link AmpDateTime}; time fields default to 0. */
export interface AmpDateTimeFields {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  microsecond?: number;
  /** Minutes east of UTC (`-300` for UTC-05:00); strictly between -1440 and 1440. */
  utcOffset?: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A wall-clock date and time at a fixed UTC offset, to the microsecond: what Twisted's
 * DateTime carries (an aware Python `datetime`). A JavaScript `Date` has neither microseconds
 * nor an offset, so AMP values decode to this class; {@link AmpDateTime.toDate} and
 * {@link AmpDateTime.fromDate} convert.
 */
export class AmpDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  /** Minutes east of UTC. */
  readonly utcOffset: number;

  /** @throws InvalidArgValueError for a field out of its range (as Python's `datetime()`). */
  constructor(fields: AmpDateTimeFields) {
    if (fields === null || typeof fields !== 'object') {
      throw new InvalidArgTypeError(`AmpDateTime needs an object of fields, received ${describe(fields)}`);
    }
    const { year, month, day, hour = 0, minute = 0, second = 0, microsecond = 0, utcOffset = 0 } = fields;
    const check = (name: string, v: unknown, lo: number, hi: number): void => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
        throw new InvalidArgValueError(`AmpDateTime ${name} must be an integer in ${lo}..${hi}, received ${describe(v)}`);
      }
    };
    check('year', year, 1, 9999);
    check('month', month, 1, 12);
    check('day', day, 1, daysIn(year, month));
    check('hour', hour, 0, 23);
    check('minute', minute, 0, 59);
    check('second', second, 0, 59);
    check('microsecond', microsecond, 0, 999_999);
    check('utcOffset', utcOffset, -1439, 1439);
    this.year = year;
    this.month = month;
    this.day = day;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.microsecond = microsecond;
    this.utcOffset = utcOffset;
  }

  /** The wall-clock time of `date` at `utcOffset` minutes east of UTC (UTC by default). */
  static fromDate(date: Date, utcOffset = 0): AmpDateTime {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw new InvalidArgValueError(`AmpDateTime.fromDate needs a valid Date, received ${describe(date)}`);
    }
    const local = new Date(date.getTime() + utcOffset * 60_000);
    return new AmpDateTime({
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
      microsecond: local.getUTCMilliseconds() * 1000,
      utcOffset,
    });
  }

  /** The instant as a `Date` (microseconds are truncated to milliseconds). */
  toDate(): Date {
    const wall = Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second, Math.floor(this.microsecond / 1000));
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
    const d = new Date(wall);
    d.setUTCFullYear(this.year);
    return new Date(d.getTime() - this.utcOffset * 60_000);
  }

  /** Twisted's wire format; the offset's sign is `+` only for offsets east of UTC (UTC is `-00:00`). */
  toString(): string {
    const off = Math.abs(this.utcOffset);
    return (
      `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}T${pad(this.hour, 2)}:${pad(this.minute, 2)}:` +
      `${pad(this.second, 2)}.${pad(this.microsecond, 6)}${this.utcOffset > 0 ? '+' : '-'}${pad(Math.floor(off / 60), 2)}:${pad(off % 60, 2)}`
    );
  }

  /** True when `other` has the same fields (the same wall clock at the same offset). */
  equals(other: AmpDateTime): boolean {
    return other instanceof AmpDateTime && other.toString() === this.toString();
  }
}

// Twisted's slices: year, month, day, hour, minute, second, microsecond, offset hours, minutes.
const FIELDS: [number, number][] = [
  [0, 4],
  [5, 7],
  [8, 10],
  [11, 13],
  [14, 16],
  [17, 19],
  [20, 26],
  [27, 29],
  [30, 32],
];

/** A date and time (Twisted's `DateTime`): decodes to {@link AmpDateTime}; encodes one, or a `Date` (as UTC). */
export class DateTime<O extends boolean = false> extends Argument<AmpDateTime, AmpDateTime | Date, O> {
  toBytes(value: AmpDateTime | Date, key?: string): Buffer {
    if (value instanceof Date) return Buffer.from(AmpDateTime.fromDate(value).toString(), 'latin1');
    if (!(value instanceof AmpDateTime)) {
      throw new InvalidArgTypeError(`${key === undefined ? 'value' : JSON.stringify(key)} must be an AmpDateTime or a Date, received ${describe(value)}`);
    }
    return Buffer.from(value.toString(), 'latin1');
  }

  fromBytes(data: Buffer, key?: string): AmpDateTime {
    const text = data.toString('latin1');
    const bad = (why: string, cause?: unknown): MalformedAmpValue =>
      new MalformedAmpValue(`invalid date format ${JSON.stringify(text.slice(0, 40))}: ${why}`, key, { cause });
    if (text.length !== 32) throw bad('not 32 characters');
    const values = FIELDS.map(([a, b]) => text.slice(a, b));
    // Python's int() would take ' 1' or '+1' in a field; Twisted never writes those, so only digits pass.
    if (!values.every((v) => /^\d+$/.test(v))) throw bad('a field is not digits');
    const [year, month, day, hour, minute, second, microsecond, offH, offM] = values.map(Number);
    const sign = text[26];
    if (sign !== '+' && sign !== '-') throw bad(`invalid sign for timezone ${JSON.stringify(sign)}`);
    const offset = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
    try {
      return new AmpDateTime({ year, month, day, hour, minute, second, microsecond, utcOffset: offset });
    } catch (err) {
      throw bad((err as Error).message, err);
    }
  }
}
