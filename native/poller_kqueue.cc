// kqueue(2) backend (macOS, FreeBSD, OpenBSD, NetBSD). Tokens travel in kevent.udata.
//
// kqueue keeps one filter per direction. Add and Modify add the wanted filters and delete the
// others. Edge mode is EV_CLEAR; one-shot is EV_DISPATCH (the filter disables itself after a
// report, and Modify's EV_ENABLE re-arms it), which keeps the registration, unlike EV_ONESHOT.
//
// Two kqueue habits do not match the Poller contract, so the backend remembers a little per
// descriptor (a table indexed by fd, grown on Add) to correct them:
//  - EV_DISPATCH disarms the filter that fired, not the descriptor: with read and write
//    interest the other filter would still report before the caller re-arms. Wait therefore
//    reports a one-shot descriptor once per arming and drops its later reports. Dropping is
//    safe because the dropped filter is disabled by EV_DISPATCH as it is reported, and
//    re-enabling a filter without EV_CLEAR (what Modify does) evaluates it again, so whatever
//    was dropped is reported after the re-arm. This costs an array lookup per event and no
//    system call; disabling the other filter instead would cost a kevent() change per report.
//    When both filters fire in the same batch, the second is folded into the first report, so
//    a one-shot report carries every ready direction, as EPOLLONESHOT's does.
//  - EV_ADD on an existing filter keeps the flags it was added with, so a trigger change
//    must delete the filters and add them again; the table says when the trigger changed.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <memory>
#include <new>

#include "poller.h"

namespace ioreactor {

const char* const kPlatformPollerName = "kqueue";

namespace {

// The 64-bit token (slot + generation) travels in udata, a pointer. Where a pointer is 32 bits
// the generation would be cut off and a stale report could name a reused slot, so such
// targets are refused at compile time rather than served wrongly. Node ships no 32-bit build
// for any kqueue platform; supporting one would mean keeping the token in the table below.
static_assert(sizeof(void*) >= sizeof(uint64_t), "kevent.udata cannot carry a 64-bit token here");

constexpr uint8_t kTriggerUnknown = 0xff;  // after a failed Modify: delete before adding again

uint16_t TriggerFlags(Trigger trigger) {
  switch (trigger) {
    case Trigger::kEdge:
      return EV_CLEAR;
    case Trigger::kOneshot:
      return EV_DISPATCH;
    case Trigger::kLevel:
      break;
  }
  return 0;
}

void Set(struct kevent* ev, int fd, int16_t filter, uint16_t flags, uint64_t token) {
  EV_SET(ev, fd, filter, flags, 0, 0, reinterpret_cast<void*>(static_cast<uintptr_t>(token)));
}

// What the backend remembers about one descriptor.
struct FdState {
  uint64_t batch;  // the Wait (by serial number) that last reported this one-shot descriptor
  int32_t index;   // where in that Wait's output its report is
  uint8_t registered;
  uint8_t trigger;  // a Trigger, or kTriggerUnknown
  uint8_t armed;    // one-shot: not yet reported since the last Add or Modify
};

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
    free(states_);
    states_ = nullptr;
    nstates_ = 0;
  }

  int Add(int fd, uint64_t token, uint32_t interest, Trigger trigger) override {
    if (fd < 0) return -EBADF;
    const int grown = Grow(fd);
    if (grown < 0) return grown;
    FdState& st = states_[fd];
    // A descriptor closed without Remove lost its filters with the close, but the table still
    // says registered; deleting first costs nothing then and is right if it is really there.
    const int rc = Apply(fd, token, interest, trigger, st.registered != 0);
    if (rc < 0) {
      // Take back a filter that was added before the other failed, so nothing reports a
      // token the caller has been told does not exist.
      Delete(fd);
      st.registered = 0;
      return rc;
    }
    Remember(st, trigger);
    return 0;
  }

  int Modify(int fd, uint64_t token, uint32_t interest, Trigger trigger) override {
    FdState* st = Find(fd);
    if (st == nullptr) return -ENOENT;  // as epoll does: Modify never registers
    const int rc = Apply(fd, token, interest, trigger, st->trigger != static_cast<uint8_t>(trigger));
    if (rc < 0) {
      // Some changes may have been applied: make the next Add or Modify start from scratch.
      st->trigger = kTriggerUnknown;
      return rc;
    }
    Remember(*st, trigger);
    return 0;
  }

  int Remove(int fd, uint32_t) override {
    FdState* st = Find(fd);
    if (st != nullptr) st->registered = 0;
    return Delete(fd);
  }

  int Wait(ReadyEvent* out, int max, int timeout_ms) override {
    if (max > kMaxWaitBatch) max = kMaxWaitBatch;
    // Allocated at the first wait: a poller that is opened and never waited on (a reactor that
    // never runs) costs no more than its descriptor.
    if (events_ == nullptr) events_.reset(new (std::nothrow) struct kevent[kMaxWaitBatch]);
    if (events_ == nullptr) return -ENOMEM;
    const WaitDeadline deadline(timeout_ms);
    for (;;) {
      struct timespec ts;
      const int n = kevent(kq_, nullptr, 0, events_.get(), max, deadline.Remaining(&ts));
      if (n < 0) {
        if (errno == EINTR) continue;
        return -errno;
      }
      const int count = Translate(out, n);
      // Every report was a disarmed one-shot's: nothing to say yet, so wait out the rest.
      if (count > 0 || n == 0 || deadline.Expired()) return count;
    }
  }

  int notify_fd() const override { return kq_; }

 private:
  int Translate(ReadyEvent* out, int n) {
    batch_++;
    int count = 0;
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
      FdState* st = Find(static_cast<int>(ev.ident));
      if (st != nullptr && st->trigger == static_cast<uint8_t>(Trigger::kOneshot)) {
        if (!st->armed) {
          if (st->batch == batch_) out[st->index].ready |= ready;
          continue;
        }
        st->armed = 0;
        st->batch = batch_;
        st->index = count;
      }
      out[count].token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(ev.udata));
      out[count].ready = ready;
      count++;
    }
    return count;
  }

  // Adds the filters in interest and deletes the others (ENOENT: it was not there); with
  // fresh, deletes both first so the added ones take this trigger's flags. Adding a filter
  // disabled would be lighter than deleting it, but some kqueue implementations still report
  // it. All changes go in one kevent() call.
  int Apply(int fd, uint64_t token, uint32_t interest, Trigger trigger, bool fresh) {
    const uint16_t add = EV_ADD | EV_ENABLE | TriggerFlags(trigger);
    struct kevent changes[4];
    int nchanges = 0;
    if (fresh) {
      Set(&changes[nchanges++], fd, EVFILT_READ, EV_DELETE | EV_RECEIPT, 0);
      Set(&changes[nchanges++], fd, EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0);
    }
    if ((interest & kInterestRead) || !fresh) {
      Set(&changes[nchanges++], fd, EVFILT_READ, EV_RECEIPT | ((interest & kInterestRead) ? add : EV_DELETE), token);
    }
    if ((interest & kInterestWrite) || !fresh) {
      Set(&changes[nchanges++], fd, EVFILT_WRITE, EV_RECEIPT | ((interest & kInterestWrite) ? add : EV_DELETE), token);
    }
    return Submit(changes, nchanges);
  }

  int Delete(int fd) {
    struct kevent changes[2];
    Set(&changes[0], fd, EVFILT_READ, EV_DELETE | EV_RECEIPT, 0);
    Set(&changes[1], fd, EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0);
    return Submit(changes, 2);
  }

  // With EV_RECEIPT on every change, kevent() answers each in the output list and reports no
  // events, so nothing a Wait should see is consumed here.
  int Submit(const struct kevent* changes, int nchanges) {
    struct kevent receipts[4];
    const int n = kevent(kq_, changes, nchanges, receipts, nchanges, nullptr);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
      // ENOENT: deleting a filter that was never added (or a fresh start); nothing to undo.
      const intptr_t err = receipts[i].data;
      if ((receipts[i].flags & EV_ERROR) && err != 0 && err != ENOENT) return -static_cast<int>(err);
    }
    return 0;
  }

  static void Remember(FdState& st, Trigger trigger) {
    st.registered = 1;
    st.trigger = static_cast<uint8_t>(trigger);
    st.armed = 1;
    st.batch = 0;  // no Wait has number 0: nothing from an earlier arming can be merged into
  }

  FdState* Find(int fd) {
    if (fd < 0 || static_cast<size_t>(fd) >= nstates_ || !states_[fd].registered) return nullptr;
    return &states_[fd];
  }

  // Makes room for fd in the table; -ENOMEM rather than an exception if memory runs out.
  int Grow(int fd) {
    const size_t need = static_cast<size_t>(fd) + 1;
    if (need <= nstates_) return 0;
    size_t size = nstates_ < 64 ? 64 : nstates_;
    while (size < need) size *= 2;
    void* grown = realloc(states_, size * sizeof(FdState));
    if (grown == nullptr) return -ENOMEM;
    states_ = static_cast<FdState*>(grown);
    memset(states_ + nstates_, 0, (size - nstates_) * sizeof(FdState));
    nstates_ = size;
    return 0;
  }

  int kq_ = -1;
  FdState* states_ = nullptr;
  size_t nstates_ = 0;
  uint64_t batch_ = 0;  // serial number of the last Wait's batch; 64 bits never wrap
  std::unique_ptr<struct kevent[]> events_;
};

}  // namespace

std::unique_ptr<Poller> NewPlatformPoller() { return std::make_unique<KqueuePoller>(); }

}  // namespace ioreactor
