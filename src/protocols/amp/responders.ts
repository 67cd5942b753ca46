/**
 * Where responders registered with `Command.responder(ProtocolClass, fn)` are kept: per
 * protocol class, looked up along the class chain so that a subclass inherits its bases'
 * responders and may override them (Twisted's `CommandLocator` metaclass bookkeeping, without
 * the metaclass).
 */
import type { Command } from './command';
import type { Schema } from './argument';

/** A registered responder: the command it answers and the user's function. */
export interface ResponderEntry {
  command: Command<Schema, Schema, boolean>;
  fn: (this: unknown, args: any) => unknown;
}

const byClass = new WeakMap<object, Map<string, ResponderEntry>>();

/** Registers `fn` for `command` on `cls` (replacing an earlier registration on the same class). */
export function registerClassResponder(cls: object, command: Command<Schema, Schema, boolean>, fn: (this: never, args: never) => unknown): void {
  let table = byClass.get(cls);
  if (table === undefined) byClass.set(cls, (table = new Map()));
  table.set(command.commandName, { command, fn: fn as ResponderEntry['fn'] });
}

/** The responder for `name` registered on `cls` or its nearest base class that has one. */
export function findClassResponder(cls: object, name: string): ResponderEntry | undefined {
  for (let c: object | null = cls; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) {
    const entry = byClass.get(c)?.get(name);
    if (entry !== undefined) return entry;
  }
  return undefined;
}
