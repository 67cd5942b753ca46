// The Linux half of process_ops.h. The exit watcher is a pidfd (Linux 5.3), readable once the
// child has exited, and waitid(P_PIDFD) (Linux 5.4) reaps exactly that child: nothing polls,
// and no other child of the process (Node's own, say) is ever reaped here. Descriptors the
// child must not inherit are closed by glibc's closefrom file action (glibc 2.34).
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process_ops.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace ioreactor {

int CloseOthersInChild(posix_spawn_file_actions_t* actions, short* /*flags*/, int floor) { return -posix_spawn_file_actions_addclosefrom_np(actions, floor); }

int OpenExitWatcher(pid_t pid) {
  // PIDFD_NONBLOCK is not needed: the pidfd is only polled, never read.
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return -errno;
  int raw = static_cast<int>(fd);
  // pidfds are close-on-exec from birth.
  return raw;
}

int ReapChild(pid_t pid, int watcher, ExitStatus* status) {
  siginfo_t info{};
  int rc;
  do {
    rc = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(watcher), &info, WEXITED | WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno == EINVAL && pid > 0) {
    // Linux 5.3 has pidfds but not P_PIDFD. The child is ours and unreaped, so its pid is still
    // its own: waiting for it by pid touches no other child.
    do {
      rc = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG);
    } while (rc < 0 && errno == EINTR);
  }
  if (rc < 0) return -errno;
  if (info.si_pid == 0) return 0;  // still running
  status->exited = true;
  if (info.si_code == CLD_EXITED) {
    status->exit_code = info.si_status;
  } else {
    status->signal = info.si_status;  // CLD_KILLED or CLD_DUMPED
  }
  return 0;
}

int SignalChild(pid_t pid, int watcher, int signal) {
  // Through the pidfd: never another process that has since been given the same pid.
  if (watcher >= 0) return syscall(SYS_pidfd_send_signal, watcher, signal, nullptr, 0) < 0 ? -errno : 0;
  // Watching has stopped (the reactor shut down or closed) and the child was not reaped, so its
  // pid cannot have been reused yet. Never a pid that names a group (0, -1...).
  if (pid <= 0) return -ESRCH;
  return kill(pid, signal) < 0 ? -errno : 0;
}

}  // namespace ioreactor
