// Spawning and pipe I/O for child processes: plain POSIX, built everywhere.
#include "process_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>

#include "socket_ops.h"

extern char** environ;

namespace ioreactor {
namespace {

// Descriptors opened for one spawn, closed on every path out of SpawnChild.
class OpenedFds {
 public:
  ~OpenedFds() {
    for (int fd : fds_) ::close(fd);
  }
  int Keep(int fd) {
    fds_.push_back(fd);
    return fd;
  }
  // The caller now owns fd: it is not closed on the way out.
  void Release(int fd) {
    for (int& kept : fds_) {
      if (kept == fd) kept = -1;
    }
  }

 private:
  std::vector<int> fds_;
};

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// A close-on-exec copy of fd numbered above every descriptor the child is given, so that the
// dup2 of one mapping can never overwrite the source of another.
int CopyAbove(int fd, int floor, OpenedFds* opened) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, floor);
  if (copy < 0) return -errno;
  return opened->Keep(copy);
}

class Attributes {
 public:
  Attributes() { ok_ = posix_spawnattr_init(&attr_) == 0; }
  ~Attributes() {
    if (ok_) posix_spawnattr_destroy(&attr_);
  }
  // Signals back to their defaults and none blocked: Node ignores SIGPIPE, and an ignored
  // signal stays ignored across exec, which would surprise every child that writes to a pipe.
  int ResetSignals() {
    if (!ok_) return -ENOMEM;
    sigset_t all, none;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    sigemptyset(&none);
    int rc = posix_spawnattr_setsigdefault(&attr_, &all);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr_, &none);
    flags_ |= POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    return -rc;
  }
  int ApplyFlags() { return -posix_spawnattr_setflags(&attr_, flags_); }
  posix_spawnattr_t* get() { return &attr_; }
  short* flags() { return &flags_; }

 private:
  posix_spawnattr_t attr_;
  short flags_ = 0;
  bool ok_;
};

class FileActions {
 public:
  FileActions() { ok_ = posix_spawn_file_actions_init(&actions_) == 0; }
  ~FileActions() {
    if (ok_) posix_spawn_file_actions_destroy(&actions_);
  }
  bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
  bool ok_;
};

}  // namespace

int SpawnChild(const SpawnRequest& request, SpawnResult* result) {
  OpenedFds opened;
  int floor = 3;
  for (const ChildFdSpec& spec : request.fds) {
    if (spec.child_fd + 1 > floor) floor = spec.child_fd + 1;
  }
  // Per mapping: the descriptor the child gets (a high copy) and the parent's own end.
  std::vector<int> child_ends(request.fds.size(), -1);
  std::vector<int> parent_ends(request.fds.size(), -1);
  for (size_t i = 0; i < request.fds.size(); i++) {
    const ChildFdSpec& spec = request.fds[i];
    if (spec.kind == ChildFdSpec::kInherit) {
      int copy = CopyAbove(spec.inherit_fd, floor, &opened);
      if (copy < 0) return copy;
      child_ends[i] = copy;
      continue;
    }
    int ends[2];
    if (pipe(ends) < 0) return -errno;
    opened.Keep(ends[0]);
    opened.Keep(ends[1]);
    bool parent_reads = spec.kind == ChildFdSpec::kParentReads;
    int parent_end = parent_reads ? ends[0] : ends[1];
    int child_end = parent_reads ? ends[1] : ends[0];
    int err = SetNonBlockingCloexec(parent_end);
    if (err < 0) return err;
    if (fcntl(child_end, F_SETFD, FD_CLOEXEC) < 0) return -errno;
    parent_ends[i] = parent_end;
    int copy = CopyAbove(child_end, floor, &opened);
    if (copy < 0) return copy;
    child_ends[i] = copy;
  }

  FileActions actions;
  Attributes attributes;
  if (!actions.ok()) return -ENOMEM;
  int rc = attributes.ResetSignals();
  if (rc < 0) return rc;
  // dup2 clears close-on-exec on the target: these are the only descriptors the child keeps
  // (CloseOthersInChild below closes the rest, close-on-exec or not).
  for (size_t i = 0; i < request.fds.size(); i++) {
    rc = posix_spawn_file_actions_adddup2(actions.get(), child_ends[i], request.fds[i].child_fd);
    if (rc != 0) return -rc;
  }
  rc = CloseOthersInChild(actions.get(), attributes.flags(), floor);
  if (rc < 0) return rc;
  rc = attributes.ApplyFlags();
  if (rc < 0) return rc;
  if (!request.cwd.empty()) {
    rc = posix_spawn_file_actions_addchdir_np(actions.get(), request.cwd.c_str());
    if (rc != 0) return -rc;
  }

  std::vector<char*> argv = CStrings(request.argv);
  std::vector<char*> envp = CStrings(request.envp);
  char** env = request.inherit_env ? environ : envp.data();
  pid_t pid = -1;
  bool search_path = request.file.find('/') == std::string::npos;
  rc = search_path ? posix_spawnp(&pid, request.file.c_str(), actions.get(), attributes.get(), argv.data(), env)
                   : posix_spawn(&pid, request.file.c_str(), actions.get(), attributes.get(), argv.data(), env);
  if (rc != 0) return -rc;

  result->pid = pid;
  result->parent_fds = parent_ends;
  for (int fd : parent_ends) {
    if (fd >= 0) opened.Release(fd);
  }
  return 0;
}

long ReadPipe(int fd, void* data, size_t length) {
  ssize_t n;
  do {
    n = ::read(fd, data, length);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : static_cast<long>(n);
}

long WritePipe(int fd, const void* data, size_t length) {
  ssize_t n;
  do {
    n = ::write(fd, data, length);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : static_cast<long>(n);
}

}  // namespace ioreactor
