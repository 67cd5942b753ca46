// The Poller contract: one kernel readiness API behind one small interface.
//
// Each kernel gets one file (poller_epoll.cc, poller_kqueue.cc, poller_poll.cc); the build's
// file list decides which exist, so no reactor or binding code carries an #ifdef.
//
// Readiness contract (the same for every backend, and what the conformance suite checks):
//  - Spurious reports happen. A reported descriptor may turn out not to be ready; callers
//    must treat EAGAIN as "nothing now", never as an error.
//  - kLevel reports a descriptor for as long as it is ready.
//  - kEdge reports a transition to ready once; the caller must drain (read/write/accept
//    until EAGAIN) or it may never hear of that descriptor again.
//  - kOneshot reports a descriptor once (one report, whichever directions are ready) and then
//    stays silent, whatever becomes ready, until Modify re-arms it. There is no separate
//    re-arm call: Modify with the same interest and trigger is the re-arm (EPOLL_CTL_MOD with
//    EPOLLONESHOT; kqueue's EV_ENABLE of its EV_DISPATCH filters). ReactorCore::EndBatch does
//    it once per fired registration after each batch. poll(2) does not support kOneshot.
//  - Modify may change the trigger as well as the interest.
//  - Every call returns 0 (or a count) on success and -errno on failure. Nothing throws,
//    nothing aborts.
#ifndef IOREACTOR_POLLER_H_
#define IOREACTOR_POLLER_H_

#include <time.h>

#include <cstdint>
#include <memory>

namespace ioreactor {

enum Interest : uint32_t {
  kInterestRead = 1u << 0,
  kInterestWrite = 1u << 1,
};

enum class Trigger : uint8_t { kLevel = 0, kEdge = 1, kOneshot = 2 };

// The most reports one epoll or kqueue Wait() returns: their kernel event array has this many
// entries and a larger max is clamped to it (poll(2) has no such array and fills up to max).
// ReactorCore::kWaitCapacity (reactor_core.h), the size of the core's report array, is this.
constexpr int kMaxWaitBatch = 1024;

// What a backend reports about a descriptor, translated from EPOLL*/EV_*/POLL* bits.
enum Ready : uint32_t {
  kReadyRead = 1u << 0,
  kReadyWrite = 1u << 1,
  kReadyReadHangup = 1u << 2,  // peer shut down its write side (EPOLLRDHUP, EV_EOF on read)
  kReadyHangup = 1u << 3,      // both directions gone (EPOLLHUP, POLLHUP)
  kReadyError = 1u << 4,       // a pending socket error (EPOLLERR, EV_ERROR, POLLERR)
  kReadyInvalid = 1u << 5,     // the descriptor is not open (POLLNVAL)
};

// One report. The token is whatever the caller registered (slot + generation in practice).
struct ReadyEvent {
  uint64_t token;
  uint32_t ready;  // Ready bits
};

class Poller {
 public:
  virtual ~Poller() = default;

  // "epoll", "kqueue" or "poll".
  virtual const char* name() const = 0;
  virtual bool Supports(Trigger trigger) const = 0;

  // Creates the kernel object. Returns 0 or -errno.
  virtual int Open() = 0;
  // Releases every kernel resource. Safe to call twice. Registered descriptors are not closed.
  virtual void Close() = 0;

  // interest is a mask of Interest bits; it may be 0 (registered but silent).
  virtual int Add(int fd, uint64_t token, uint32_t interest, Trigger trigger) = 0;
  // Changes interest or trigger; for kOneshot this is also how a fired registration re-arms.
  virtual int Modify(int fd, uint64_t token, uint32_t interest, Trigger trigger) = 0;
  // Stops reporting fd. Call before close(fd): a closed descriptor cannot always be removed.
  virtual int Remove(int fd, uint32_t interest) = 0;

  // Collects up to max reports (epoll and kqueue: at most kMaxWaitBatch), waiting at most
  // timeout_ms (-1: forever, 0: not at all).
  // Returns the count or -errno. EINTR is retried inside with what is left of the timeout.
  virtual int Wait(ReadyEvent* out, int max, int timeout_ms) = 0;

  // A descriptor that is readable whenever Wait() has something to report: what Node's loop
  // watches with its one uv_poll.
  virtual int notify_fd() const = 0;
  // Called when the loop starts watching notify_fd and again after each drained batch, before
  // control returns to Node's loop. Backends whose notify_fd is fed by a watcher (poll(2))
  // start watching again here; kernel-backed ones need nothing.
  virtual void ArmNotify() {}
};

// What is left of a Wait() timeout, so a wait interrupted by a signal (EINTR) resumes with
// the rest of its time instead of starting the whole timeout again. The clock is read only
// for a positive timeout: the zero-timeout drain of the hot path never touches it.
class WaitDeadline {
 public:
  explicit WaitDeadline(int timeout_ms) : timeout_ms_(timeout_ms) {
    if (timeout_ms > 0) deadline_ns_ = NowNs() + int64_t{timeout_ms} * 1000000;
  }

  // Milliseconds left: -1 (forever) or 0 unchanged; otherwise rounded up, so that a wait in
  // whole milliseconds never ends before the deadline, and never below 0.
  int RemainingMs() const {
    if (timeout_ms_ <= 0) return timeout_ms_;
    const int64_t left = deadline_ns_ - NowNs();
    return left <= 0 ? 0 : static_cast<int>((left + 999999) / 1000000);
  }

  // The same as a timespec; returns nullptr when waiting forever, else ts filled in.
  const timespec* Remaining(timespec* ts) const {
    if (timeout_ms_ < 0) return nullptr;
    int64_t left = timeout_ms_ == 0 ? 0 : deadline_ns_ - NowNs();
    if (left < 0) left = 0;
    ts->tv_sec = static_cast<time_t>(left / 1000000000);
    ts->tv_nsec = static_cast<long>(left % 1000000000);
    return ts;
  }

  // True once a finite timeout has run out (a zero timeout has always run out).
  bool Expired() const {
    if (timeout_ms_ < 0) return false;
    return timeout_ms_ == 0 || deadline_ns_ - NowNs() <= 0;
  }

 private:
  static int64_t NowNs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
  }

  int timeout_ms_;
  int64_t deadline_ns_ = 0;
};

// poll(2): level-triggered only; always built.
std::unique_ptr<Poller> NewPollPoller();
// The platform's native backend, from whichever file the build compiled (epoll or kqueue).
std::unique_ptr<Poller> NewPlatformPoller();
// Its name, so the binding can list available backends without including platform headers.
extern const char* const kPlatformPollerName;

}  // namespace ioreactor

#endif  // IOREACTOR_POLLER_H_
