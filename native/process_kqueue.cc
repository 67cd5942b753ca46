// The macOS / BSD half of process_ops.h. Descriptors the child must not inherit: macOS's
// POSIX_SPAWN_CLOEXEC_DEFAULT, or the closefrom file action where that is missing (FreeBSD 13.1).
// The exit watcher is a kqueue of its own holding one EVFILT_PROC NOTE_EXIT filter. A kqueue descriptor is itself pollable (by the reactor's kqueue or by
// poll(2)), readable once the child has exited; waitpid(pid) then reaps exactly that child.
// The same holds for the orphan reaper (orphan_reaper.h), which poll(2)s these as it does pidfds.
// Not exercised by the Linux test runs.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/event.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process_ops.h"

namespace ioreactor {

int CloseOthersInChild(posix_spawn_file_actions_t* actions, short* flags, int floor) {
#ifdef POSIX_SPAWN_CLOEXEC_DEFAULT
  (void)actions;
  (void)floor;
  *flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
  return 0;
#else
  (void)flags;
  return -posix_spawn_file_actions_addclosefrom_np(actions, floor);
#endif
}

int OpenExitWatcher(pid_t pid) {
  int kq = kqueue();
  if (kq < 0) return -errno;
  fcntl(kq, F_SETFD, FD_CLOEXEC);
  struct kevent change;
  EV_SET(&change, pid, EVFILT_PROC, EV_ADD | EV_ONESHOT, NOTE_EXIT, 0, nullptr);
  if (kevent(kq, &change, 1, nullptr, 0, nullptr) < 0) {
    int err = errno;
    if (err != ESRCH) {
      ::close(kq);
      return -err;
    }
    // Already gone: a user event that is pending from the start keeps the kqueue readable.
    EV_SET(&change, 1, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, nullptr);
    if (kevent(kq, &change, 1, nullptr, 0, nullptr) < 0) {
      err = errno;
      ::close(kq);
      return -err;
    }
  }
  return kq;
}

int ReapChild(pid_t pid, int /*watcher*/, ExitStatus* status) {
  int raw = 0;
  pid_t rc;
  do {
    rc = waitpid(pid, &raw, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return -errno;
  if (rc == 0) return 0;  // still running
  status->exited = true;
  if (WIFEXITED(raw)) {
    status->exit_code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    status->signal = WTERMSIG(raw);
  }
  return 0;
}

int SignalChild(pid_t pid, int /*watcher*/, int signal) {
  // The child is ours and not yet reaped, so its pid cannot have been reused. Never a pid that
  // names a group (0, -1...).
  if (pid <= 0) return -ESRCH;
  return kill(pid, signal) < 0 ? -errno : 0;
}

}  // namespace ioreactor
