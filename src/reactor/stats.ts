import { binding, type NativeReactor } from '../binding';

/**
 * What a reactor's native core has done since it opened, counted where it happens (no native
 * call per event: {@link Reactor.stats} asks once). System calls are the ones the core makes
 * for its own sockets and poller; raw descriptors' own reads and writes are not the core's.
 */
export interface ReactorStats {
  /** Batches collected (each a wait on the poller or a pass over edge mode's ready list). */
  batches: number;
  /** Waits on the poller (epoll_wait, kevent, poll). */
  waits: number;
  /** Readiness reports the kernel gave. */
  events: number;
  /** read() calls on connections, and the bytes they returned. */
  reads: number;
  bytesRead: number;
  /** send()/sendmsg() calls on connections, and the bytes the kernel took. */
  writes: number;
  bytesWritten: number;
  /** accept() calls. */
  accepts: number;
  /** Poller registrations added, changed or removed (a system call each with epoll and poll's
   * watcher; kqueue applies them with its next wait). */
  pollerChanges: number;
  /** Read arenas replaced because protocols kept views of the old one (see dataReceived). */
  arenas: number;
  /** Datagrams read and sent by datagram ports. */
  datagramsRead: number;
  datagramsWritten: number;
  /** Datagrams not sent: the kernel's send buffer was full (UDP drops them, as the network would) or it refused one. */
  datagramsDropped: number;
  /** Datagrams that arrived larger than their port's maxPacketSize. */
  datagramsTruncated: number;
  /** waits + reads + writes + accepts + pollerChanges. */
  syscalls: number;
  /** Live registrations: listeners, connections and raw descriptors. */
  registrations: number;
  /** Slots of closed sockets held until their close is delivered. */
  heldSlots: number;
}

/** The counters of `native`, or zeros for a reactor that has not opened its core. */
export function readStats(native: NativeReactor | undefined): ReactorStats {
  const stats: ReactorStats = {
    batches: 0,
    waits: 0,
    events: 0,
    reads: 0,
    bytesRead: 0,
    writes: 0,
    bytesWritten: 0,
    accepts: 0,
    pollerChanges: 0,
    arenas: 0,
    datagramsRead: 0,
    datagramsWritten: 0,
    datagramsDropped: 0,
    datagramsTruncated: 0,
    syscalls: 0,
    registrations: 0,
    heldSlots: 0,
  };
  if (native === undefined) return stats;
  const values = native.stats();
  const fields = stats as unknown as Record<string, number>;
  binding.counters.forEach((name, i) => {
    if (name in fields) fields[name] = values[i];
  });
  stats.syscalls = stats.waits + stats.reads + stats.writes + stats.accepts + stats.pollerChanges;
  stats.registrations = native.registrationCount;
  stats.heldSlots = native.heldCount;
  return stats;
}
