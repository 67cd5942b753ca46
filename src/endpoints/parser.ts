// Twisted's endpoint description syntax (endpoints._tokenize and _parse): `type:a:b:key=value`.
// Arguments are separated by ':'; an argument holding '=' is a keyword argument, split at its
// first '=' (later ones belong to the value); '\' makes the next character literal.
import { InvalidArgTypeError } from '../errors';
import { describe } from '../util/validate';
import { EndpointStringError } from './errors';

/** A description split into its type, its positional arguments and its keyword arguments. */
export interface ParsedDescription {
  /** The prefix before the first ':' (`tcp`, `unix`...), as written. */
  readonly type: string;
  /** The positional arguments after the type, in order. */
  readonly positional: readonly string[];
  /** The keyword arguments, in order of appearance. */
  readonly keywords: ReadonlyMap<string, string>;
}

/**
 * Splits `description` as Twisted does. Refuses, with ERR_IOREACTOR_ENDPOINT_SYNTAX, an empty
 * description, one that begins with a keyword argument (no type), and a trailing lone
 * backslash; with ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT a keyword given twice (Twisted
 * keeps the last; here it is a mistake worth reporting).
 */
export function parseDescription(description: unknown): ParsedDescription {
  if (typeof description !== 'string') throw new InvalidArgTypeError(`description must be a string, received ${describe(description)}`);
  if (description.trim() === '') throw new EndpointStringError('ERR_IOREACTOR_ENDPOINT_SYNTAX', 'empty description', description);
  const fields = splitFields(description);
  const positional: string[] = [];
  const keywords = new Map<string, string>();
  for (const field of fields) {
    if (field.value === undefined) {
      positional.push(field.key);
    } else {
      if (keywords.has(field.key)) {
        throw new EndpointStringError('ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT', `argument ${JSON.stringify(field.key)} given twice`, description);
      }
      keywords.set(field.key, field.value);
    }
  }
  if (fields[0].value !== undefined || positional[0] === '') {
    throw new EndpointStringError('ERR_IOREACTOR_ENDPOINT_SYNTAX', 'no endpoint type before the first argument', description);
  }
  return { type: positional[0], positional: positional.slice(1), keywords };
}

/** One ':'-separated field: a positional argument (`value` undefined) or `key=value`. */
interface Field {
  key: string;
  value: string | undefined;
}

function splitFields(description: string): Field[] {
  const fields: Field[] = [];
  let current = '';
  let key: string | undefined; // set once this field's first unescaped '=' was seen
  for (let i = 0; i < description.length; i++) {
    const ch = description[i];
    if (ch === '\\') {
      if (i + 1 === description.length) {
        throw new EndpointStringError('ERR_IOREACTOR_ENDPOINT_SYNTAX', 'unterminated escape (a backslash at the end)', description);
      }
      current += description[++i];
    } else if (ch === ':') {
      fields.push(key === undefined ? { key: current, value: undefined } : { key, value: current });
      current = '';
      key = undefined;
    } else if (ch === '=' && key === undefined) {
      key = current;
      current = '';
    } else {
      current += ch;
    }
  }
  fields.push(key === undefined ? { key: current, value: undefined } : { key, value: current });
  return fields;
}

/**
 * Escapes `value` for use as one argument of a description: Twisted's quoteStringArgument,
 * which escapes '\' and ':'; '=' is escaped too, so a positional argument holding one is not
 * read as a keyword. `parseDescription(`unix:${quoteStringArgument(path)}`)` gives `path` back.
 */
export function quoteStringArgument(value: string): string {
  if (typeof value !== 'string') throw new InvalidArgTypeError(`value must be a string, received ${describe(value)}`);
  return value.replace(/[\\:=]/g, (ch) => `\\${ch}`);
}
