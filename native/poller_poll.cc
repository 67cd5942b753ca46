// poll(2) backend: level-triggered only, on any POSIX system. It exists as the portable
// comparison point: its cost grows with every registered descriptor, idle or not.
//
// poll(2) has no kernel object that Node's loop could watch, so this backend parks one watcher
// thread in a blocking poll(2) over a snapshot of the same set and writes a byte to a pipe
// (notify_fd) when something is ready. The watcher only wakes the loop: the reports themselves
// come from Wait(), a zero-timeout poll(2) on the loop thread, like every other backend. The
// epoll and kqueue backends need no such thread.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "poller.h"

namespace ioreactor {
namespace {

short ToPollEvents(uint32_t interest) {
  short events = 0;
  if (interest & kInterestRead) events |= POLLIN;
  if (interest & kInterestWrite) events |= POLLOUT;
  return events;
}

uint32_t FromPollEvents(short revents) {
  uint32_t ready = 0;
  if (revents & POLLIN) ready |= kReadyRead;
  if (revents & POLLOUT) ready |= kReadyWrite;
  if (revents & POLLHUP) ready |= kReadyHangup;
  if (revents & POLLERR) ready |= kReadyError;
  if (revents & POLLNVAL) ready |= kReadyInvalid;
  return ready;
}

int MakePipe(int fds[2]) {
  if (pipe(fds) < 0) return -errno;
  for (int i = 0; i < 2; i++) {
    if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[i], F_SETFL, O_NONBLOCK) < 0) {
      int err = -errno;
      ::close(fds[0]);
      ::close(fds[1]);
      fds[0] = fds[1] = -1;
      return err;
    }
  }
  return 0;
}

void DrainPipe(int fd) {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

void ClosePipe(int fds[2]) {
  for (int i = 0; i < 2; i++) {
    if (fds[i] >= 0) ::close(fds[i]);
    fds[i] = -1;
  }
}

class PollPoller final : public Poller {
 public:
  ~PollPoller() override { Close(); }

  const char* name() const override { return "poll"; }
  bool Supports(Trigger trigger) const override { return trigger == Trigger::kLevel; }

  // The watcher thread is started here rather than on the first ArmNotify, so that failing
  // to start it is an error Open can return: std::thread would report it by throwing, which
  // in this -fno-exceptions build means std::terminate.
  int Open() override {
    if (watcher_started_) return -EBUSY;  // already open: a second watcher would leak
    int rc = MakePipe(notify_);
    if (rc < 0) return rc;
    rc = MakePipe(interrupt_);
    if (rc < 0) {
      ClosePipe(notify_);
      return rc;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      armed_ = false;
      stopping_ = false;
      interrupt_pending_ = false;
    }
    // The watcher starts with every signal blocked (a new thread inherits the creator's mask),
    // so signals meant for the process are handled on the threads that expect them, never
    // on this helper in the middle of its poll(2).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&watcher_, nullptr, &PollPoller::WatchMain, this);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (rc != 0) {
      ClosePipe(notify_);
      ClosePipe(interrupt_);
      return -rc;  // pthread_create returns the error number instead of setting errno
    }
    watcher_started_ = true;
    return 0;
  }

  void Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    Interrupt();
    if (watcher_started_) pthread_join(watcher_, nullptr);
    watcher_started_ = false;
    ClosePipe(notify_);
    ClosePipe(interrupt_);
  }

  int Add(int fd, uint64_t token, uint32_t interest, Trigger trigger) override {
    if (!Supports(trigger)) return -EINVAL;
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.count(fd) != 0) return -EEXIST;
    index_.emplace(fd, fds_.size());
    fds_.push_back(pollfd{fd, ToPollEvents(interest), 0});
    tokens_.push_back(token);
    SetChanged();
    return 0;
  }

  int Modify(int fd, uint64_t token, uint32_t interest, Trigger trigger) override {
    if (!Supports(trigger)) return -EINVAL;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(fd);
    if (it == index_.end()) return -ENOENT;
    fds_[it->second].events = ToPollEvents(interest);
    tokens_[it->second] = token;
    SetChanged();
    return 0;
  }

  int Remove(int fd, uint32_t) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(fd);
    if (it == index_.end()) return -ENOENT;
    const size_t pos = it->second;
    const size_t last = fds_.size() - 1;
    if (pos != last) {
      fds_[pos] = fds_[last];
      tokens_[pos] = tokens_[last];
      index_[fds_[pos].fd] = pos;
    }
    fds_.pop_back();
    tokens_.pop_back();
    index_.erase(it);
    SetChanged();
    return 0;
  }

  int Wait(ReadyEvent* out, int max, int timeout_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    const WaitDeadline deadline(timeout_ms);
    int n = ::poll(fds_.data(), fds_.size(), timeout_ms);
    while (n < 0 && errno == EINTR) n = ::poll(fds_.data(), fds_.size(), deadline.RemainingMs());
    if (n < 0) return -errno;
    // Scan from where the last full batch stopped, so a crowd of ready descriptors early in
    // the array cannot starve the ones after it.
    const size_t size = fds_.size();
    int count = 0;
    for (size_t k = 0; k < size && count < n && count < max; k++) {
      const size_t i = (scan_start_ + k) % size;
      if (fds_[i].revents == 0) continue;
      out[count].token = tokens_[i];
      out[count].ready = FromPollEvents(fds_[i].revents);
      if (++count == max) scan_start_ = (i + 1) % size;
    }
    return count;
  }

  int notify_fd() const override { return notify_[0]; }

  void ArmNotify() override {
    DrainPipe(notify_[0]);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (armed_) return;
      armed_ = true;
    }
    cv_.notify_one();
  }

 private:
  // Called with mu_ held: the watcher's snapshot is stale, so wake it to take a new one.
  void SetChanged() {
    if (armed_ && !interrupt_pending_) {
      interrupt_pending_ = true;
      Interrupt();
    }
  }

  void Interrupt() {
    if (interrupt_[1] >= 0) {
      ssize_t unused = write(interrupt_[1], "i", 1);  // a full pipe already says the same
      (void)unused;
    }
  }

  static void* WatchMain(void* self) {
    static_cast<PollPoller*>(self)->WatchLoop();
    return nullptr;
  }

  void WatchLoop() {
    std::vector<pollfd> snapshot;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return armed_ || stopping_; });
      if (stopping_) return;
      snapshot.assign(fds_.begin(), fds_.end());
      snapshot.push_back(pollfd{interrupt_[0], POLLIN, 0});
      interrupt_pending_ = false;
      lock.unlock();
      const int n = ::poll(snapshot.data(), snapshot.size(), -1);
      const int poll_errno = n < 0 ? errno : 0;  // before anything else can change errno
      const bool interrupted = n > 0 && snapshot.back().revents != 0;
      if (interrupted) DrainPipe(interrupt_[0]);
      lock.lock();
      if (stopping_) return;
      if (interrupted && n == 1) continue;  // only the set changed: take a new snapshot
      if (poll_errno == EINTR) continue;
      // Something is ready (or poll failed, which Wait() will report): wake the loop, then
      // sleep until the loop has drained the batch and calls ArmNotify again.
      armed_ = false;
      ssize_t unused = write(notify_[1], "r", 1);
      (void)unused;
    }
  }

  std::mutex mu_;  // guards the set against the watcher's snapshot, and the watcher state
  std::condition_variable cv_;
  std::vector<pollfd> fds_;
  std::vector<uint64_t> tokens_;
  std::unordered_map<int, size_t> index_;
  size_t scan_start_ = 0;

  pthread_t watcher_{};
  bool watcher_started_ = false;  // only the loop thread (Open, Close) reads or writes it
  bool armed_ = false;
  bool stopping_ = false;
  bool interrupt_pending_ = false;
  int notify_[2] = {-1, -1};     // watcher -> loop: something is ready
  int interrupt_[2] = {-1, -1};  // loop -> watcher: the set changed, or stop
};

}  // namespace

std::unique_ptr<Poller> NewPollPoller() { return std::make_unique<PollPoller>(); }

}  // namespace ioreactor
