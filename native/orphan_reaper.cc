#include "orphan_reaper.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <mutex>
#include <new>
#include <vector>

#include "child_descriptors.h"
#include "process_ops.h"
#include "socket_ops.h"

namespace ioreactor {
namespace {

struct Orphan {
  pid_t pid;
  int watcher;
};

// Shared between the threads that hand orphans over and the reaper thread. Never destroyed:
// the detached thread may still run while the process exits and static objects go away.
struct ReaperState {
  std::mutex lock;
  std::vector<Orphan> arriving;  // handed over, not yet taken by the thread
  bool running = false;          // the thread is alive and owns the wake-up pipe
  int wake_read = -1;
  int wake_write = -1;
};

ReaperState& State() {
  static ReaperState* state = new ReaperState();
  return *state;
}

void CloseWakePipe(ReaperState& state) {
  ::close(state.wake_read);
  ::close(state.wake_write);
  state.wake_read = state.wake_write = -1;
}

void* ReaperMain(void* /*unused*/) {
  ReaperState& state = State();
  // Slot 0 is the wake-up pipe; the others are the orphans' watchers, pids[i] for fds[i].
  std::vector<pollfd> fds;
  std::vector<pid_t> pids;
  {
    std::lock_guard<std::mutex> guard(state.lock);
    fds.push_back(pollfd{state.wake_read, POLLIN, 0});
    pids.push_back(0);
  }
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno != EINTR) usleep(10000);  // ENOMEM: try again shortly rather than spin
      continue;
    }
    if (fds[0].revents != 0) {
      char drain[64];
      while (read(fds[0].fd, drain, sizeof drain) > 0) {
      }
    }
    // Backwards, so that moving the last entry into a finished one's place skips nothing.
    for (size_t i = fds.size() - 1; i >= 1; i--) {
      if (fds[i].revents == 0) continue;
      bool done = (fds[i].revents & POLLNVAL) != 0;  // not open: nothing of ours to close
      if (!done) {
        ExitStatus status;
        done = ReapChild(pids[i], fds[i].fd, &status) < 0 || status.exited;
        if (done) CloseAdoptedWatcher(fds[i].fd);
      }
      if (done) {
        fds[i] = fds.back();
        pids[i] = pids.back();
        fds.pop_back();
        pids.pop_back();
      }
    }
    std::lock_guard<std::mutex> guard(state.lock);
    for (const Orphan& orphan : state.arriving) {
      fds.push_back(pollfd{orphan.watcher, POLLIN, 0});
      pids.push_back(orphan.pid);
    }
    state.arriving.clear();
    if (fds.size() == 1) {
      // Nothing left to wait for: end, so an idle process keeps no thread and no descriptor.
      state.running = false;
      CloseWakePipe(state);
      return nullptr;
    }
  }
}

// Node unloads an addon when the worker that loaded it ends, unless another environment still
// holds it: the thread would then run in unmapped code. So, before the first thread starts, the
// addon is marked never to be unloaded (RTLD_NODELETE on the already loaded library).
bool KeepAddonLoaded() {
  static bool kept = false;  // guarded by the state's lock
  if (kept) return true;
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&ReaperMain), &self) == 0 || self.dli_fname == nullptr) return false;
  kept = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != nullptr;
  return kept;
}

// Starts the thread with its wake-up pipe; false (nothing left open) if the addon cannot be
// kept loaded or the pipe or the thread cannot be made.
bool StartReaper(ReaperState& state) {
  if (!KeepAddonLoaded()) return false;
  int pipe_fds[2];
  if (pipe(pipe_fds) < 0) return false;
  state.wake_read = pipe_fds[0];
  state.wake_write = pipe_fds[1];
  if (SetNonBlockingCloexec(state.wake_read) < 0 || SetNonBlockingCloexec(state.wake_write) < 0) {
    CloseWakePipe(state);
    return false;
  }
  pthread_attr_t attributes;
  if (pthread_attr_init(&attributes) != 0) {
    CloseWakePipe(state);
    return false;
  }
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  // Signals stay with Node's threads: the reaper is created with all of them blocked.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  const int rc = pthread_create(&thread, &attributes, &ReaperMain, nullptr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attributes);
  if (rc != 0) {
    CloseWakePipe(state);
    return false;
  }
  state.running = true;
  return true;
}

}  // namespace

void AdoptOrphan(pid_t pid, int watcher) {
  if (watcher < 0) return;
  ReaperState& state = State();
  std::lock_guard<std::mutex> guard(state.lock);
  if (!state.running && !StartReaper(state)) {
    CloseAdoptedWatcher(watcher);  // no reaper: as before it existed, the child is left unwaited-for
    return;
  }
  state.arriving.push_back(Orphan{pid, watcher});
  const char wake = 1;
  // A full pipe already holds a wake-up the thread has not read: nothing is lost.
  while (write(state.wake_write, &wake, 1) < 0 && errno == EINTR) {
  }
}

void CloseOwnedDescriptor(int fd) {
  pid_t pid = 0;
  switch (ReleaseFromReactor(fd, &pid)) {
    case OwnedDescriptor::kNotAChilds:
      ::close(fd);
      break;
    case OwnedDescriptor::kHandOver:
      AdoptOrphan(pid, fd);
      break;
    case OwnedDescriptor::kClosed:       // a pipe, or a reaped child's watcher: closed already
    case OwnedDescriptor::kNotTheCores:  // a child's descriptor someone else holds
      break;
  }
}

void AdoptOrphansOf(const void* env) {
  for (const auto& [pid, watcher] : ReleaseFromEnvironment(env)) AdoptOrphan(pid, watcher);
}

}  // namespace ioreactor
