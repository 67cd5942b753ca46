// Who holds each open exit watcher (process_ops.h's OpenExitWatcher), so that every watcher is
// closed exactly once, by whoever holds it, however and at whatever instant its JavaScript
// environment ends (a worker can be terminated between any two JavaScript statements):
//   - a reactor, while it watches it (an owned raw registration): the core's close hands it to
//     the native orphan reaper (reactor collected unclosed, environment torn down);
//   - JavaScript, from the moment it takes it off its reactor (to close it, or to keep it in
//     src/process/orphan-reaper.ts): the environment's cleanup hook hands it to the native
//     orphan reaper, unless JavaScript has closed it by then;
//   - the native orphan reaper (orphan_reaper.h), which closes it once its child is reaped.
// A watcher's entry stays until it is closed, so a holder that comes late (a core closing after
// the cleanup hook ran) sees that it is no longer its to close. One process-wide table, keyed by
// descriptor number (unique among open descriptors), guarded by a mutex: touched at spawn, exit
// and teardown, never per readiness event. This file only keeps the table; handing over is
// orphan_reaper.h's.
#ifndef IOREACTOR_EXIT_WATCHERS_H_
#define IOREACTOR_EXIT_WATCHERS_H_

#include <sys/types.h>

#include <utility>
#include <vector>

namespace ioreactor {

// spawnChild opened `watcher` for its child `pid` in the environment `env` (any pointer that
// names the environment while it lives); the reactor it is registered with holds it.
void RecordExitWatcher(int watcher, pid_t pid, const void* env);

// JavaScript takes `watcher` from its reactor, before it unregisters it, so that an environment
// ending at any point from here on still finds one holder. 0, or -ENOENT for no exit watcher
// (or one JavaScript no longer holds).
int TakeExitWatcher(int watcher);

// JavaScript is done with `watcher` (its child reaped, or the child given up): forgets and
// closes it, unless it is no longer JavaScript's to close. 0, -EBADF for a descriptor that is
// not an exit watcher (left open), or -errno.
int CloseExitWatcher(int watcher);

// What a reactor core closing the owned descriptor `fd` must do with it.
enum class OwnedDescriptor {
  kNotAWatcher,  // not an exit watcher: close it
  kHandOver,     // the core's exit watcher, of *pid: now the native reaper's; adopt it
  kNotTheCores,  // an exit watcher someone else holds: leave it
};
OwnedDescriptor ReleaseFromReactor(int fd, pid_t* pid);

// The environment `env` is ending: the watchers JavaScript held there, as (pid, watcher), now
// the native reaper's.
std::vector<std::pair<pid_t, int>> ReleaseFromEnvironment(const void* env);

// The native reaper is done with `watcher`: forgets and closes it.
void CloseAdoptedWatcher(int watcher);

}  // namespace ioreactor

#endif  // IOREACTOR_EXIT_WATCHERS_H_
