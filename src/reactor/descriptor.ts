/**
 * The descriptor shape of IReactorFDSet, as in Twisted (`IReadDescriptor`,
 * `IWriteDescriptor`). A descriptor is any object with these methods; the reactor calls them.
 */
import type { Failure } from '../defer/failure';

export type Trigger = 'level' | 'edge' | 'oneshot';

export interface IFileDescriptor {
  /** The descriptor number, or -1 once closed. */
  fileno(): number;
  /**
   * Called when the reactor drops the descriptor because of `reason`: a read or write
   * callback threw or returned an Error, the peer hung up, or the reactor shut down.
   * The descriptor is no longer registered when this runs.
   */
  connectionLost(reason: Failure): void;
}

/**
 * Something to read from. `doRead()` is called when the descriptor may be readable.
 *
 * Readiness contract:
 * - Wake-ups can be spurious: a read may fail with EAGAIN. Treat that as "nothing now".
 * - With `trigger: 'edge'` you hear of readiness once per transition: read until EAGAIN, or
 *   you may never be told about the data left behind.
 * - With `trigger: 'oneshot'` the registration is disarmed after each report and re-armed by
 *   the reactor once `doRead()` returns.
 * - With `trigger: 'level'` (the default) you are called again for as long as data remains,
 *   so reading a bounded amount per call is fine.
 * - Returning an `Error` or a `Failure` (or throwing) means the descriptor is finished: the
 *   reactor removes it and calls `connectionLost` with that reason. Any other return value is
 *   ignored.
 */
export interface IReadDescriptor extends IFileDescriptor {
  doRead(): unknown;
}

/** Something to write to. `doWrite()` follows the same contract as `doRead()`. */
export interface IWriteDescriptor extends IFileDescriptor {
  doWrite(): unknown;
}

/** Per-registration options for addReader / addWriter. */
export interface DescriptorOptions {
  /** Overrides the reactor's trigger mode for this descriptor. */
  trigger?: Trigger;
}
