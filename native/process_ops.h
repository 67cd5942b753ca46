#ifndef IOREACTOR_PROCESS_OPS_H_
#define IOREACTOR_PROCESS_OPS_H_

// Child processes without JavaScript: spawning with pipes, reading and writing those pipes
// (the core's stream helpers use send/recv, which pipes refuse), and learning a child's exit
// status from a descriptor the poller can watch. Spawning, reads and writes are plain POSIX
// (process_ops.cc); the exit watcher and the closing of inherited descriptors are one file per
// kernel (process_linux.cc: pidfd_open, closefrom; process_kqueue.cc: EVFILT_PROC,
// POSIX_SPAWN_CLOEXEC_DEFAULT), chosen by the build's file list.

#include <spawn.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace ioreactor {

// What the child's descriptor `child_fd` is connected to.
struct ChildFdSpec {
  enum Kind { kParentReads, kParentWrites, kInherit };
  int child_fd;
  Kind kind;
  int inherit_fd;  // kInherit: the parent's descriptor that becomes child_fd
};

struct SpawnRequest {
  std::string file;               // without a '/': looked up in this process's PATH
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> envp;  // "NAME=value" entries
  bool inherit_env;               // true: the parent's environment instead of envp
  std::string cwd;                // empty: the parent's
  std::vector<ChildFdSpec> fds;
};

struct SpawnResult {
  pid_t pid = -1;
  // One per SpawnRequest::fds entry: the parent's end of its pipe (non-blocking, close-on-exec),
  // or -1 for an inherited descriptor.
  std::vector<int> parent_fds;
};

// Starts the child with posix_spawn. Returns 0 or -errno (ENOENT, EACCES... from the exec as
// well as from the pipes); on failure nothing is left open.
int SpawnChild(const SpawnRequest& request, SpawnResult* result);

// Makes the child close every descriptor numbered `floor` or above that the file actions so far
// did not set up: close-on-exec protects only against descriptors this process opened itself,
// not against ones it inherited without the flag. Returns 0 or -errno.
int CloseOthersInChild(posix_spawn_file_actions_t* actions, short* flags, int floor);

// A descriptor that turns readable once `pid` (a child of this process) has exited, or -errno.
int OpenExitWatcher(pid_t pid);

// How a child ended.
struct ExitStatus {
  bool exited = false;  // false: not yet
  int exit_code = -1;   // exited normally: its code, else -1
  int signal = 0;       // killed by a signal: its number, else 0
};

// Reaps `pid` if it has exited (and only it: no other child is touched). `watcher` is the
// descriptor from OpenExitWatcher. Returns 0 (status filled in, `exited` false if still running)
// or -errno.
int ReapChild(pid_t pid, int watcher, ExitStatus* status);

// Sends `signal` to the child (through `watcher`, or by pid once the watcher is closed); 0 or
// -errno (ESRCH once it has been reaped).
int SignalChild(pid_t pid, int watcher, int signal);

// read(2) on a pipe: the byte count, 0 at end of file, or -errno (-EAGAIN: nothing now).
long ReadPipe(int fd, void* data, size_t length);

// write(2) on a pipe: the byte count or -errno (-EAGAIN: full; -EPIPE: the reader is gone).
long WritePipe(int fd, const void* data, size_t length);

}  // namespace ioreactor

#endif  // IOREACTOR_PROCESS_OPS_H_
