// Who holds each descriptor the addon opened for a child (its exit watcher, process_ops.h's
// OpenExitWatcher, and the parent's ends of its pipes), so that each is closed exactly once, by
// whoever holds it, however and at whatever instant its JavaScript environment ends (a worker
// can be terminated between any two JavaScript statements):
//   - JavaScript, from spawnChild on and whenever it is not registered with a reactor (a pipe
//     writer with nothing queued, a watcher taken off its reactor to be closed or kept in
//     src/process/orphan-reaper.ts): the environment's cleanup hook closes a pipe and hands a
//     watcher to the native orphan reaper;
//   - a reactor, while it is an owned registration of its core (the core's Add and Remove move
//     it, so no JavaScript statement lies between unregistering and the change of holder): the
//     core's close closes a pipe and hands a watcher to the native orphan reaper;
//   - the native orphan reaper (orphan_reaper.h), which closes a watcher once its child is reaped.
// An entry stays until its descriptor is closed, so a holder that comes late (a core closing
// after the cleanup hook ran) sees that it is no longer its to close. One process-wide table,
// keyed by descriptor number (unique among open descriptors), guarded by a mutex: touched at
// spawn, at the registration and removal of a child's descriptors, at exit and at teardown,
// never per readiness event. This file only keeps the table; handing over is orphan_reaper.h's.
#ifndef IOREACTOR_CHILD_DESCRIPTORS_H_
#define IOREACTOR_CHILD_DESCRIPTORS_H_

#include <sys/types.h>

#include <utility>
#include <vector>

namespace ioreactor {

// spawnChild opened `watcher`, the exit watcher of its child `pid`, in the environment `env`
// (any pointer that names the environment while it lives). JavaScript holds it.
void RecordExitWatcher(int watcher, pid_t pid, const void* env);

// spawnChild opened `fd`, the parent's end of one of a child's pipes, in the environment `env`.
// JavaScript holds it.
void RecordChildPipe(int fd, const void* env);

// JavaScript reaped `pid`, the child `watcher` watches: from now on nobody waits for it, and
// its watcher is closed as a pipe is (a pid reaped may name another process soon).
void RecordChildReaped(int watcher, pid_t pid);

// A reactor core registered (`registered`) or removed (not `registered`) `fd` as an owned
// registration: the reactor holds it now, or JavaScript again. Nothing for other descriptors.
void SetHeldByReactor(int fd, bool registered);

// JavaScript is done with `fd` (a pipe closed, a child reaped or given up): forgets and closes
// it, unless it is no longer JavaScript's to close. 0, -EBADF for a descriptor that is not a
// child's (left open), or -errno.
int CloseChildDescriptor(int fd);

// What a reactor core closing the owned descriptor `fd` must do with it.
enum class OwnedDescriptor {
  kNotAChilds,   // not a child's descriptor: close it
  kClosed,       // the core's pipe, or watcher of a reaped child: closed (and forgotten) here
  kHandOver,     // the core's exit watcher, of *pid: now the native reaper's; adopt it
  kNotTheCores,  // a child's descriptor someone else holds: leave it
};
OwnedDescriptor ReleaseFromReactor(int fd, pid_t* pid);

// The environment `env` is ending: the pipes JavaScript held there (and watchers of children
// it reaped) are closed, and its other watchers, as (pid, watcher), returned: now the native
// reaper's.
std::vector<std::pair<pid_t, int>> ReleaseFromEnvironment(const void* env);

// The native reaper is done with `watcher`: forgets and closes it.
void CloseAdoptedWatcher(int watcher);

}  // namespace ioreactor

#endif  // IOREACTOR_CHILD_DESCRIPTORS_H_
