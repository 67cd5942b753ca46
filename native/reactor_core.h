// The reactor's native core, free of any JavaScript: a poller, the registration slots, and
// the collection of one batch of reports into records the JavaScript side reads directly.
#ifndef IOREACTOR_REACTOR_CORE_H_
#define IOREACTOR_REACTOR_CORE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "poller.h"
#include "slot_table.h"

namespace ioreactor {

// One dispatched report, as JavaScript sees it in an Int32Array: [slot, ready bits].
struct BatchRecord {
  int32_t slot;
  int32_t ready;
};

class ReactorCore {
 public:
  static constexpr int kBatchCapacity = 1024;

  ~ReactorCore() { Close(); }

  // Takes ownership of an unopened poller and opens it. Returns 0 or -errno.
  int Open(std::unique_ptr<Poller> poller);
  // Closes the poller. Registered descriptors belong to their owners and stay open.
  void Close();
  bool is_open() const { return poller_ != nullptr; }

  const Poller& poller() const { return *poller_; }
  int notify_fd() const { return poller_->notify_fd(); }
  void ArmNotify() { poller_->ArmNotify(); }

  // Registers fd; returns its slot (>= 0) or -errno. EBADF when fd is not open.
  int Add(int fd, uint32_t interest, Trigger trigger);
  // Changes a registration's interest (and re-arms a one-shot one). Returns 0 or -errno.
  int Modify(uint32_t slot, uint32_t interest);
  // Unregisters; the slot is reusable once the current batch (if any) ends. Returns 0 or
  // -errno, ignoring the errors that only mean the descriptor was already closed.
  int Remove(uint32_t slot);

  // Waits up to timeout_ms and fills records with live reports (stale ones are dropped).
  // Returns the record count or -errno; *kernel_count is how many reports the kernel gave,
  // so the caller knows whether the kernel had more than one batch ready.
  int Collect(BatchRecord* records, int capacity, int timeout_ms, int* kernel_count);
  // Ends the batch Collect began: re-arms fired one-shot registrations that were neither
  // removed nor re-armed during dispatch, and makes quarantined slots reusable.
  void EndBatch();

  size_t registration_count() const { return slots_.live_count(); }

 private:
  std::unique_ptr<Poller> poller_;
  SlotTable slots_;
  ReadyEvent events_[kBatchCapacity];
  std::vector<uint64_t> fired_oneshot_;  // tokens reported in the current batch
  bool in_batch_ = false;
};

}  // namespace ioreactor

#endif  // IOREACTOR_REACTOR_CORE_H_
