// kqueue(2) backend (macOS, FreeBSD, OpenBSD, NetBSD). Tokens travel in kevent.udata.
//
// kqueue keeps one filter per direction. Add and Modify add the wanted filters and delete the
// others, so Modify needs no memory of the previous interest. Edge mode is EV_CLEAR; one-shot is EV_DISPATCH (the filter disables itself after a report,
// and Modify's EV_ENABLE re-arms it), which keeps the registration, unlike EV_ONESHOT.
#include <errno.h>
#include <stdint.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "poller.h"

namespace ioreactor {

const char* const kPlatformPollerName = "kqueue";

namespace {

constexpr int kMaxWaitBatch = 1024;

uint16_t TriggerFlags(Trigger trigger) {
  switch (trigger) {
    case Trigger::kEdge: return EV_CLEAR;
    case Trigger::kOneshot: return EV_DISPATCH;
    case Trigger::kLevel: break;
  }
  return 0;
}

void Set(struct kevent* ev, int fd, int16_t filter, uint16_t flags, uint64_t token) {
  EV_SET(ev, fd, filter, flags, 0, 0, reinterpret_cast<void*>(static_cast<uintptr_t>(token)));
}

class KqueuePoller final : public Poller {
 public:
  ~KqueuePoller() override { Close(); }

  const char* name() const override { return kPlatformPollerName; }
  bool Supports(Trigger) const override { return true; }

  int Open() override {
    kq_ = kqueue();
    return kq_ < 0 ? -errno : 0;
  }

  void Close() override {
    if (kq_ >= 0) ::close(kq_);
    kq_ = -1;
  }

  int Add(int fd, uint64_t token, uint32_t interest, Trigger trigger) override {
    return Apply(fd, token, interest, trigger);
  }

  int Modify(int fd, uint64_t token, uint32_t interest, Trigger trigger) override {
    return Apply(fd, token, interest, trigger);
  }

  int Remove(int fd, uint32_t) override {
    struct kevent changes[2];
    Set(&changes[0], fd, EVFILT_READ, EV_DELETE | EV_RECEIPT, 0);
    Set(&changes[1], fd, EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0);
    struct kevent receipts[2];
    int n = kevent(kq_, changes, 2, receipts, 2, nullptr);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
      // ENOENT: that filter was never added (Add failed half-way); nothing to remove.
      if ((receipts[i].flags & EV_ERROR) && receipts[i].data != 0 && receipts[i].data != ENOENT) {
        return -static_cast<int>(receipts[i].data);
      }
    }
    return 0;
  }

  int Wait(ReadyEvent* out, int max, int timeout_ms) override {
    if (max > kMaxWaitBatch) max = kMaxWaitBatch;
    struct timespec ts;
    struct timespec* tsp = nullptr;
    if (timeout_ms >= 0) {
      ts.tv_sec = timeout_ms / 1000;
      ts.tv_nsec = static_cast<long>(timeout_ms % 1000) * 1000000L;
      tsp = &ts;
    }
    int n;
    do {
      n = kevent(kq_, nullptr, 0, events_, max, tsp);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
      const struct kevent& ev = events_[i];
      uint32_t ready = 0;
      if (ev.flags & EV_ERROR) ready |= kReadyError;
      if (ev.filter == EVFILT_READ) {
        ready |= kReadyRead;
        if (ev.flags & EV_EOF) ready |= kReadyReadHangup;
      } else if (ev.filter == EVFILT_WRITE) {
        ready |= kReadyWrite;
        if (ev.flags & EV_EOF) ready |= kReadyHangup;
      }
      if ((ev.flags & EV_EOF) && ev.fflags != 0) ready |= kReadyError;
      out[i].token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(ev.udata));
      out[i].ready = ready;
    }
    return n;
  }

  int notify_fd() const override { return kq_; }

 private:
  // Adds the filters in interest and deletes the others (ENOENT: it was not there). Adding a
  // filter disabled would be lighter, but some kqueue implementations still report it.
  int Apply(int fd, uint64_t token, uint32_t interest, Trigger trigger) {
    const uint16_t mode = TriggerFlags(trigger);
    struct kevent changes[2];
    Set(&changes[0], fd, EVFILT_READ,
        EV_RECEIPT | ((interest & kInterestRead) ? (EV_ADD | EV_ENABLE | mode) : EV_DELETE), token);
    Set(&changes[1], fd, EVFILT_WRITE,
        EV_RECEIPT | ((interest & kInterestWrite) ? (EV_ADD | EV_ENABLE | mode) : EV_DELETE), token);
    struct kevent receipts[2];
    int n = kevent(kq_, changes, 2, receipts, 2, nullptr);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
      const intptr_t err = receipts[i].data;
      if ((receipts[i].flags & EV_ERROR) && err != 0 && err != ENOENT) return -static_cast<int>(err);
    }
    return 0;
  }

  int kq_ = -1;
  struct kevent events_[kMaxWaitBatch];
};

}  // namespace

std::unique_ptr<Poller> NewPlatformPoller() { return std::make_unique<KqueuePoller>(); }

}  // namespace ioreactor
