// The reactor's native core, free of any JavaScript: a poller, the registration slots, the
// sockets it owns (listeners and connections), and the collection of one batch of work into
// records JavaScript reads directly.
//
// Raw descriptors (addReader/addWriter) are only reported. Sockets owned by the core are
// served here: accept, connect, read into the batch arena, and buffered, coalesced writes.
#ifndef IOREACTOR_REACTOR_CORE_H_
#define IOREACTOR_REACTOR_CORE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "batch.h"
#include "poller.h"
#include "slot_table.h"
#include "socket_ops.h"

namespace ioreactor {

// kCloseDiscard closes at once and reports nothing: for closes whose caller already knows,
// so no record can reach a later user of the slot.
enum CloseMode : int { kCloseAfterFlush = 0, kCloseAbort = 1, kShutWriteAfterFlush = 2, kCloseDiscard = 3 };

class ReactorCore {
 public:
  static constexpr int kWaitCapacity = 1024;

  ~ReactorCore() { Close(); }

  // Takes ownership of an unopened poller and opens it. Returns 0 or -errno.
  int Open(std::unique_ptr<Poller> poller);
  // Closes every socket the core owns, then the poller. Raw descriptors belong to their
  // owners and stay open.
  void Close();
  bool is_open() const { return poller_ != nullptr; }
  void AttachBatch(Record* records, uint8_t* arena) {
    batch_.records = records;
    batch_.arena = arena;
  }
  Batch& batch() { return batch_; }

  const Poller& poller() const { return *poller_; }
  int notify_fd() const { return poller_->notify_fd(); }
  void ArmNotify() { poller_->ArmNotify(); }

  // ---- raw descriptors: slot (>= 0) or -errno -------------------------------------------
  int Add(int fd, uint32_t interest, Trigger trigger);
  int Modify(uint32_t slot, uint32_t interest);
  int Remove(uint32_t slot);

  // ---- owned sockets: slot (>= 0) or -errno ---------------------------------------------
  int Listen(const SocketAddress& address, int backlog, Trigger trigger);
  int AdoptListener(int fd, Trigger trigger);
  int AdoptStream(int fd, Trigger trigger);
  int Connect(const SocketAddress& address, const SocketAddress* bind_address, Trigger trigger);
  // Queues or sends bytes; returns the bytes still buffered, or -errno (-EPIPE once closed).
  int64_t Write(uint32_t slot, const char* data, size_t length);
  int CloseStream(uint32_t slot, CloseMode mode);
  int SetReading(uint32_t slot, bool reading);
  int SetHalfClose(uint32_t slot, bool enabled);
  int RequestDrain(uint32_t slot);
  int ResumeListener(uint32_t slot);
  int CloseListener(uint32_t slot);
  // The descriptor of an owned socket, or -EBADF.
  int SocketFd(uint32_t slot);
  int64_t Pending(uint32_t slot);

  // ---- batches ----------------------------------------------------------------------------
  // Serves the edge-mode ready list, then waits up to timeout_ms and serves what the kernel
  // reports, appending records. Returns how many reports the kernel gave, or -errno.
  int Collect(int timeout_ms);
  // JavaScript consumed the first `delivered` records; keep those added since.
  void Consumed(int delivered);
  // Sends what was written during dispatch (one send per connection per batch).
  void FlushQueued();
  // Ends the batch: re-arms fired one-shot registrations, frees quarantined slots.
  void EndBatch();
  void set_dispatching(bool on) { dispatching_ = on; }
  bool dispatching() const { return dispatching_; }
  // Work that needs no kernel report: records to deliver, or edge-mode sockets with more data.
  bool HasPendingWork() const { return batch_.count > 0 || !batch_.overflow.empty() || !ready_list_.empty(); }

  size_t registration_count() const { return slots_.live_count(); }

 private:
  int AddStream(int fd, Trigger trigger, StreamState state);
  int Register(Registration& r, uint32_t slot, uint32_t interest);
  int SetInterest(Registration& r, uint32_t slot, uint32_t interest);
  uint32_t StreamInterest(const Registration& r) const;
  void Serve(Registration& r, uint32_t slot, uint32_t ready);
  void ServeListener(Registration& r, uint32_t slot);
  void ServeStream(Registration& r, uint32_t slot, uint32_t ready);
  void FinishConnect(Registration& r, uint32_t slot);
  void ReadStream(Registration& r, uint32_t slot, uint32_t ready);
  void Flush(Registration& r, uint32_t slot);
  void CloseOwned(Registration& r, uint32_t slot, int error, bool report);
  void Defer(Registration& r, uint32_t slot);
  void HandleAcceptError(Registration& r, uint32_t slot, int error);

  std::unique_ptr<Poller> poller_;
  SlotTable slots_;
  Batch batch_;
  ReadyEvent events_[kWaitCapacity];
  std::vector<uint64_t> fired_oneshot_;  // tokens reported in the current batch
  std::vector<uint64_t> flush_list_;     // streams written to during dispatch
  std::vector<uint64_t> ready_list_;     // edge-mode streams with data or accepts left over
  bool in_batch_ = false;
  bool dispatching_ = false;
  int spare_fd_ = -1;  // reserved descriptor, released to shed a connection on EMFILE
};

}  // namespace ioreactor

#endif  // IOREACTOR_REACTOR_CORE_H_
