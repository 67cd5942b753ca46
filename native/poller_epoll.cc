// epoll(7) backend (Linux). Tokens travel in epoll_event.data.u64.
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <memory>
#include <new>

#include "poller.h"

namespace ioreactor {

const char* const kPlatformPollerName = "epoll";

namespace {

uint32_t ToEpollEvents(uint32_t interest, Trigger trigger) {
  // EPOLLRDHUP is always requested with reads so half-close is seen in every mode; the
  // reactor clears read interest once it has acted on it, so level mode cannot spin on it.
  uint32_t events = 0;
  if (interest & kInterestRead) events |= EPOLLIN | EPOLLRDHUP;
  if (interest & kInterestWrite) events |= EPOLLOUT;
  if (trigger == Trigger::kEdge) events |= EPOLLET;
  if (trigger == Trigger::kOneshot) events |= EPOLLONESHOT;
  return events;
}

uint32_t FromEpollEvents(uint32_t events) {
  uint32_t ready = 0;
  if (events & EPOLLIN) ready |= kReadyRead;
  if (events & EPOLLOUT) ready |= kReadyWrite;
  if (events & EPOLLRDHUP) ready |= kReadyReadHangup;
  if (events & EPOLLHUP) ready |= kReadyHangup;
  if (events & EPOLLERR) ready |= kReadyError;
  return ready;
}

class EpollPoller final : public Poller {
 public:
  ~EpollPoller() override { Close(); }

  const char* name() const override { return kPlatformPollerName; }
  bool Supports(Trigger) const override { return true; }

  int Open() override {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    return epfd_ < 0 ? -errno : 0;
  }

  void Close() override {
    if (epfd_ >= 0) ::close(epfd_);
    epfd_ = -1;
  }

  int Add(int fd, uint64_t token, uint32_t interest, Trigger trigger) override { return Control(EPOLL_CTL_ADD, fd, token, interest, trigger); }

  int Modify(int fd, uint64_t token, uint32_t interest, Trigger trigger) override { return Control(EPOLL_CTL_MOD, fd, token, interest, trigger); }

  int Remove(int fd, uint32_t) override {
    epoll_event unused{};  // kernels before 2.6.9 required a non-null pointer
    return epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &unused) < 0 ? -errno : 0;
  }

  int Wait(ReadyEvent* out, int max, int timeout_ms) override {
    if (max > kMaxWaitBatch) max = kMaxWaitBatch;
    // Allocated at the first wait: a poller that is opened and never waited on (a reactor that
    // never runs) costs no more than its descriptor.
    if (events_ == nullptr) events_.reset(new (std::nothrow) epoll_event[kMaxWaitBatch]);
    if (events_ == nullptr) return -ENOMEM;
    const WaitDeadline deadline(timeout_ms);
    int n = epoll_wait(epfd_, events_.get(), max, timeout_ms);
    while (n < 0 && errno == EINTR) n = epoll_wait(epfd_, events_.get(), max, deadline.RemainingMs());
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
      out[i].token = events_[i].data.u64;
      out[i].ready = FromEpollEvents(events_[i].events);
    }
    return n;
  }

  int notify_fd() const override { return epfd_; }

 private:
  int Control(int op, int fd, uint64_t token, uint32_t interest, Trigger trigger) {
    epoll_event ev{};
    ev.events = ToEpollEvents(interest, trigger);
    ev.data.u64 = token;
    return epoll_ctl(epfd_, op, fd, &ev) < 0 ? -errno : 0;
  }

  int epfd_ = -1;
  std::unique_ptr<epoll_event[]> events_;
};

}  // namespace

std::unique_ptr<Poller> NewPlatformPoller() { return std::make_unique<EpollPoller>(); }

}  // namespace ioreactor
