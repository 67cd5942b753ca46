// Who answers for each open exit watcher (process_ops.h's OpenExitWatcher), so that the
// watcher of a child still running when its JavaScript environment ends reaches the orphan
// reaper (orphan_reaper.h) by exactly one path, however the environment ends:
//   - while a reactor watches it, the reactor's core owns it (an owned raw registration): the
//     core's close hands it over (reactor collected unclosed, environment torn down);
//   - once JavaScript's orphan reaper holds it (src/process/orphan-reaper.ts: its reactor
//     closed or shut down first), the environment's cleanup hook hands it over;
//   - JavaScript closes it itself once it has reaped the child.
// One process-wide table, keyed by descriptor number (unique among open descriptors), guarded
// by a mutex: touched at spawn, exit and teardown, never per readiness event.
#ifndef IOREACTOR_EXIT_WATCHERS_H_
#define IOREACTOR_EXIT_WATCHERS_H_

#include <sys/types.h>

namespace ioreactor {

// spawnChild opened `watcher` for its child `pid` in the environment `env` (any pointer that
// names the environment while it lives).
void RecordExitWatcher(int watcher, pid_t pid, const void* env);

// JavaScript's orphan reaper takes `watcher` over (marked before it leaves its reactor, so that
// a teardown in between still finds one owner: this mark). 0, or -ENOENT for no exit watcher.
int MarkExitWatcherOrphaned(int watcher);

// JavaScript is done with `watcher` (its child reaped, or the child given up): forgets and
// closes it. 0 or -errno.
int CloseExitWatcher(int watcher);

// A reactor core closes `fd`, an owned raw registration: an exit watcher not yet taken by
// JavaScript's orphan reaper goes to the native orphan reaper instead; one taken is left to
// that reaper's environment; any other descriptor is closed.
void CloseOwnedDescriptor(int fd);

// The environment `env` is ending: the watchers its JavaScript orphan reaper held go to the
// native orphan reaper.
void AdoptOrphansOf(const void* env);

}  // namespace ioreactor

#endif  // IOREACTOR_EXIT_WATCHERS_H_
