// The process-wide reaper of children nobody watches any more because the JavaScript
// environment that spawned them has ended (a worker terminated or exited, a reactor collected
// unclosed). Such a child keeps running, as Twisted leaves it; once it exits, this reaper waits
// for it, so it does not stay a zombie until the whole process ends.
//
// One detached helper thread, started when the first orphan arrives and gone again once every
// orphan it held has been reaped: it poll(2)s the orphans' exit watchers (pidfds on Linux,
// EVFILT_PROC kqueues elsewhere: both turn readable when the child exits) and a wake-up pipe,
// reaps each child whose watcher is readable with process_ops.h's ReapChild (that child only),
// and closes the watcher. It holds no JavaScript state, never keeps Node's loop alive, and
// blocks every signal. The addon stays loaded from the first orphan on (Node would otherwise
// unload it with the last worker using it, under the running thread). If the thread or its
// pipe cannot be made, the watcher is closed as it was before this reaper existed, and the
// child becomes a zombie once it exits.
#ifndef IOREACTOR_ORPHAN_REAPER_H_
#define IOREACTOR_ORPHAN_REAPER_H_

#include <sys/types.h>

namespace ioreactor {

// Takes `watcher` (the exit watcher of `pid`, a child of this process nobody else will reap or
// watch, already the native reaper's in child_descriptors.h's table) and closes it once the child
// has been reaped. Never blocks on the child.
void AdoptOrphan(pid_t pid, int watcher);

// A reactor core closes `fd`, an owned raw registration: an exit watcher the core still held
// goes to the reaper; a child's descriptor JavaScript or the reaper holds is left to them; any
// other descriptor is closed.
void CloseOwnedDescriptor(int fd);

// The environment `env` is ending: the child pipes JavaScript held there are closed, and the
// exit watchers it held (not on a reactor, not yet closed) go to the reaper.
void AdoptOrphansOf(const void* env);

}  // namespace ioreactor

#endif  // IOREACTOR_ORPHAN_REAPER_H_
