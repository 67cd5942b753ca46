/**
 * IReactorFDSet: raw descriptors registered with the native poller, and the dispatch of one
 * batch of readiness records to their doRead / doWrite.
 * Internal to the package.
 */
import { Failure } from '../defer/failure';
import { ConnectionDone, ConnectionLost } from '../transport/errors';
import { InvalidArgTypeError, InvalidArgValueError, ReactorSystemError } from '../errors';
import { assertOneOf, describe } from '../util/validate';
import { trace } from '../log/diagnostics';
import type { Logger } from '../log/logger';
import type { DescriptorOptions, IFileDescriptor, IReadDescriptor, IWriteDescriptor, Trigger } from './descriptor';
import { C, generationOf, slotOf, type NativeReactor } from '../binding';

export const TRIGGERS: readonly Trigger[] = ['level', 'edge', 'oneshot'];
const TRIGGER_CODES: Record<Trigger, number> = { level: C.TRIGGER_LEVEL, edge: C.TRIGGER_EDGE, oneshot: C.TRIGGER_ONESHOT };

const READ_EVENTS = C.READY_READ | C.READY_READ_HANGUP;
const DISCONNECT_EVENTS = C.READY_HANGUP | C.READY_ERROR;

interface Registration {
  readonly fd: number;
  readonly slot: number;
  readonly generation: number;
  readonly trigger: Trigger;
  /** The core closes the descriptor if it closes while this registration lasts (see add's `owned`). */
  readonly owned: boolean;
  reader: IReadDescriptor | undefined;
  writer: IWriteDescriptor | undefined;
}

function interestOf(r: Registration): number {
  return (r.reader ? C.INTEREST_READ : 0) | (r.writer ? C.INTEREST_WRITE : 0);
}

function isReason(value: unknown): value is Error | Failure {
  return value instanceof Error || value instanceof Failure;
}

/** The hooks DescriptorSet needs from its reactor. */
export interface DescriptorHost {
  /** The opened native reactor (opening it on first use). */
  native(): NativeReactor;
  readonly trigger: Trigger;
  readonly backend: string;
  supportsTrigger(trigger: Trigger): boolean;
  readonly logger: Logger;
}

export class DescriptorSet {
  private readonly byFd = new Map<number, Registration>();
  private readonly bySlot: (Registration | undefined)[] = [];
  private readonly readers = new Map<IReadDescriptor, Registration>();
  private readonly writers = new Map<IWriteDescriptor, Registration>();

  constructor(private readonly host: DescriptorHost) {}

  /**
   * `owned` (internal: the reactor's own descriptors, such as a child process's pipes) makes the
   * native core close the descriptor should the core close while it is still registered (the
   * reactor collected unclosed, its worker terminated). Removing it hands it back open: the
   * owner closes it itself after removing it, never before, so it is closed exactly once. A
   * registration that is owned once stays owned until it is removed.
   */
  addReader(reader: IReadDescriptor, options?: DescriptorOptions, owned = false): void {
    this.add(reader, 'reader', options, owned);
  }

  addWriter(writer: IWriteDescriptor, options?: DescriptorOptions, owned = false): void {
    this.add(writer, 'writer', options, owned);
  }

  removeReader(reader: IReadDescriptor): void {
    const r = this.readers.get(reader);
    if (r === undefined) return;
    this.readers.delete(reader);
    r.reader = undefined;
    this.update(r);
  }

  removeWriter(writer: IWriteDescriptor): void {
    const r = this.writers.get(writer);
    if (r === undefined) return;
    this.writers.delete(writer);
    r.writer = undefined;
    this.update(r);
  }

  /** Removes every reader and writer; returns the descriptors removed (each once). */
  removeAll(): IFileDescriptor[] {
    const removed = new Set<IFileDescriptor>([...this.readers.keys(), ...this.writers.keys()]);
    for (const r of [...this.byFd.values()]) this.unregister(r);
    return [...removed];
  }

  getReaders(): IReadDescriptor[] {
    return [...this.readers.keys()];
  }

  getWriters(): IWriteDescriptor[] {
    return [...this.writers.keys()];
  }

  get size(): number {
    return this.byFd.size;
  }

  /** Dispatches one RECORD_RAW record: `ready` bits for the registration named slot + generation. */
  dispatchRecord(slot: number, generation: number, ready: number): void {
    const r = this.bySlot[slot];
    // Removed (and perhaps replaced) since the record was made: not for whoever holds the slot now.
    if (r !== undefined && r.generation === generation) this.dispatchOne(r, ready);
  }

  private dispatchOne(r: Registration, ready: number): void {
    let why: unknown;
    let inRead = false;
    let culprit: IFileDescriptor | undefined = r.reader ?? r.writer;
    try {
      if (ready & C.READY_INVALID) {
        why = new ConnectionLost('the descriptor was closed while registered');
      } else if (ready & DISCONNECT_EVENTS && !(ready & READ_EVENTS) && !(ready & C.READY_WRITE && r.writer)) {
        // Hung up with nothing left to read: as Twisted, a clean end for a reader.
        inRead = r.reader !== undefined;
        why = inRead ? new ConnectionDone() : new ConnectionLost();
      } else {
        if (ready & (READ_EVENTS | DISCONNECT_EVENTS) && r.reader !== undefined) {
          inRead = true;
          culprit = r.reader;
          why = r.reader.doRead();
        }
        // doRead may have removed the writer or the whole registration.
        if (!isReason(why) && ready & (C.READY_WRITE | DISCONNECT_EVENTS) && r.writer !== undefined && this.bySlot[r.slot] === r) {
          inRead = false;
          culprit = r.writer;
          why = r.writer.doWrite();
        }
      }
    } catch (err) {
      this.host.logger.error(`Unhandled error in ${inRead ? 'doRead' : 'doWrite'} of ${describe(culprit)}:`, err);
      why = err;
    }
    if (isReason(why) && culprit !== undefined) this.disconnect(culprit, why);
  }

  /** Drops a descriptor the reactor has given up on and tells it why. */
  disconnect(descriptor: IFileDescriptor, why: unknown): void {
    this.removeReader(descriptor as IReadDescriptor);
    this.removeWriter(descriptor as IWriteDescriptor);
    try {
      descriptor.connectionLost(why instanceof Failure ? why : new Failure(why));
    } catch (err) {
      this.host.logger.error(`Unhandled error in connectionLost of ${describe(descriptor)}:`, err);
    }
  }

  private add(descriptor: IReadDescriptor | IWriteDescriptor, role: 'reader' | 'writer', options: DescriptorOptions | undefined, owned: boolean): void {
    const method = role === 'reader' ? 'doRead' : 'doWrite';
    if (
      descriptor === null ||
      typeof descriptor !== 'object' ||
      typeof descriptor.fileno !== 'function' ||
      typeof (descriptor as unknown as Record<string, unknown>)[method] !== 'function'
    ) {
      throw new InvalidArgTypeError(`a ${role} must be an object with fileno() and ${method}(), received ${describe(descriptor)}`);
    }
    const trigger = this.resolveTrigger(options);
    const fd = descriptor.fileno();
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
      throw new InvalidArgValueError(`fileno() must return a non-negative integer, returned ${describe(fd)}`, 'ERR_IOREACTOR_INVALID_FD');
    }
    const map = role === 'reader' ? this.readers : this.writers;
    const current = map.get(descriptor as never);
    if (current !== undefined && current.fd === fd && current.trigger === trigger && (current.owned || !owned)) return; // idempotent
    if (current !== undefined) this.removeRole(current, role);

    let r = this.byFd.get(fd);
    if (r !== undefined && (r.trigger !== trigger || (owned && !r.owned))) {
      // A new trigger (or ownership) needs a new registration; keep the other role across it.
      const other = r;
      this.unregister(other);
      r = this.register(fd, trigger, other.owned || owned, other.reader, other.writer);
    }
    if (r === undefined) {
      this.register(
        fd,
        trigger,
        owned,
        role === 'reader' ? (descriptor as IReadDescriptor) : undefined,
        role === 'writer' ? (descriptor as IWriteDescriptor) : undefined,
      );
      return;
    }
    const previous = r[role];
    if (previous !== undefined && previous !== descriptor) map.delete(previous as never);
    r[role] = descriptor as never;
    map.set(descriptor as never, r);
    this.update(r);
  }

  private resolveTrigger(options: DescriptorOptions | undefined): Trigger {
    if (options === undefined) return this.host.trigger;
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgTypeError(`options must be an object, received ${describe(options)}`);
    }
    if (options.trigger === undefined) return this.host.trigger;
    assertOneOf(options.trigger, TRIGGERS, 'options.trigger', 'ERR_IOREACTOR_INVALID_TRIGGER');
    if (!this.host.supportsTrigger(options.trigger)) {
      throw new InvalidArgValueError(
        `the ${this.host.backend} backend supports only level triggering, not '${options.trigger}'`,
        'ERR_IOREACTOR_UNSUPPORTED_TRIGGER',
      );
    }
    return options.trigger;
  }

  private register(fd: number, trigger: Trigger, owned: boolean, reader: IReadDescriptor | undefined, writer: IWriteDescriptor | undefined): Registration {
    const interest = (reader ? C.INTEREST_READ : 0) | (writer ? C.INTEREST_WRITE : 0);
    const name = this.host.native().add(fd, interest, TRIGGER_CODES[trigger], owned);
    if (name < 0) throw new ReactorSystemError(name, `${this.host.backend} add`, `descriptor ${fd}`);
    const r: Registration = { fd, slot: slotOf(name), generation: generationOf(name), trigger, owned, reader, writer };
    this.byFd.set(fd, r);
    this.bySlot[r.slot] = r;
    if (reader) this.readers.set(reader, r);
    if (writer) this.writers.set(writer, r);
    if (trace.enabled) trace('descriptor %d registered: slot %d, %s', fd, r.slot, trigger);
    return r;
  }

  private removeRole(r: Registration, role: 'reader' | 'writer'): void {
    if (role === 'reader' && r.reader) this.removeReader(r.reader);
    if (role === 'writer' && r.writer) this.removeWriter(r.writer);
  }

  private update(r: Registration): void {
    const interest = interestOf(r);
    if (interest === 0) {
      this.unregister(r);
      return;
    }
    const rc = this.host.native().modify(r.slot, r.generation, interest);
    if (rc < 0) throw new ReactorSystemError(rc, `${this.host.backend} modify`, `descriptor ${r.fd}`);
  }

  private unregister(r: Registration): void {
    if (r.reader) this.readers.delete(r.reader);
    if (r.writer) this.writers.delete(r.writer);
    r.reader = r.writer = undefined;
    this.byFd.delete(r.fd);
    this.bySlot[r.slot] = undefined;
    this.host.native().remove(r.slot, r.generation);
    if (trace.enabled) trace('descriptor %d removed: slot %d', r.fd, r.slot);
  }
}
