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
//  - kOneshot reports once and then disarms the registration until rearm() is called.
//  - Every call returns 0 (or a count) on success and -errno on failure. Nothing throws,
//    nothing aborts.
#ifndef IOREACTOR_POLLER_H_
#define IOREACTOR_POLLER_H_

#include <cstdint>
#include <memory>

namespace ioreactor {

enum Interest : uint32_t {
  kInterestRead = 1u << 0,
  kInterestWrite = 1u << 1,
};

enum class Trigger : uint8_t { kLevel = 0, kEdge = 1, kOneshot = 2 };

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

  // Collects up to max reports, waiting at most timeout_ms (-1: forever, 0: not at all).
  // Returns the count or -errno (EINTR is retried inside).
  virtual int Wait(ReadyEvent* out, int max, int timeout_ms) = 0;

  // A descriptor that is readable whenever Wait() has something to report: what Node's loop
  // watches with its one uv_poll.
  virtual int notify_fd() const = 0;
  // Called when the loop starts watching notify_fd and again after each drained batch, before
  // control returns to Node's loop. Backends whose notify_fd is fed by a watcher (poll(2))
  // start watching again here; kernel-backed ones need nothing.
  virtual void ArmNotify() {}
};

// poll(2): level-triggered only; always built.
std::unique_ptr<Poller> NewPollPoller();
// The platform's native backend, from whichever file the build compiled (epoll or kqueue).
std::unique_ptr<Poller> NewPlatformPoller();
// Its name, so the binding can list available backends without including platform headers.
extern const char* const kPlatformPollerName;

}  // namespace ioreactor

#endif  // IOREACTOR_POLLER_H_
