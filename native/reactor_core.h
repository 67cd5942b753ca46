// The reactor's native core, free of any JavaScript: a poller, the registration slots, the
// sockets it owns (listeners and connections), and the collection of one batch of work into
// records JavaScript reads directly.
//
// Raw descriptors (addReader/addWriter) are only reported. Sockets owned by the core are
// served here: accept, connect, read into the batch arena, and buffered, coalesced writes.
#ifndef IOREACTOR_REACTOR_CORE_H_
#define IOREACTOR_REACTOR_CORE_H_

#include <sys/uio.h>

#include <algorithm>
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

// What the core has done, counted where it happens, so a user (reactor.stats()) and the
// benchmark can see the system calls and bytes each message costs. Poller changes are system
// calls with epoll (epoll_ctl); kqueue applies them with its next wait.
enum Counter : int {
  kCounterBatches,  // batches collected
  kCounterWaits,    // waits on the poller
  kCounterEvents,   // readiness reports the kernel gave
  kCounterReads,    // read calls
  kCounterBytesRead,
  kCounterWrites,  // send and sendmsg calls
  kCounterBytesWritten,
  kCounterAccepts,        // accept calls
  kCounterPollerChanges,  // registrations added, changed or removed
  kCounterArenas,         // read arenas replaced because JavaScript kept views of them
  kCounterDatagramsRead,
  kCounterDatagramsWritten,
  kCounterDatagramsDropped,    // not sent: the kernel's send buffer was full, or the send failed
  kCounterDatagramsTruncated,  // read cut to the socket's maximum packet size
  kCounterCount
};

class ReactorCore {
 public:
  // Reports taken per wait: as many as a poller returns at once.
  static constexpr int kWaitCapacity = kMaxWaitBatch;

  // What JavaScript holds for a registration: slot * 2^32 + generation (exact in a double,
  // see SlotTable::kMaxSlots). Calls from JavaScript carry it back, so a stale name can never
  // reach whatever took the slot next.
  static int64_t NameOf(uint32_t slot, uint32_t generation) { return (static_cast<int64_t>(slot) << 32) | generation; }

  ~ReactorCore() { Close(); }

  // Takes ownership of an unopened poller and opens it. Returns 0 or -errno.
  int Open(std::unique_ptr<Poller> poller);
  // Closes every socket the core owns, then the poller. Raw descriptors belong to their
  // owners and stay open, except owned ones (see Add) still registered: those are closed here,
  // or, for a child's exit watcher, handed to the orphan reaper (child_descriptors.h).
  void Close();
  bool is_open() const { return poller_ != nullptr; }
  void AttachBatch(Record* records, uint8_t* arena) {
    batch_.records = records;
    AttachArena(arena);
  }
  // Reads continue in a fresh arena; the previous one belongs to the views JavaScript holds.
  void AttachArena(uint8_t* arena) {
    if (batch_.arena != nullptr) counters_[kCounterArenas]++;
    batch_.arena = arena;
    batch_.arena_used = 0;
    batch_.arena_kept = 0;
  }
  // JavaScript handed out views of the arena up to `end`: those bytes are never written again.
  void KeepArena(size_t end) { batch_.arena_kept = std::max(batch_.arena_kept, std::min(end, batch_.arena_used)); }
  // No more reads into the current arena (its memory is gone); AttachArena gives reads a home again.
  void RetireArena() { batch_.arena_used = batch_.arena_kept = Batch::kArenaSize; }
  // Too little room is left after the kept views for a batch's reads.
  bool ArenaNeedsReplacing() const { return batch_.arena_kept > Batch::kArenaSize - Batch::kArenaReplaceBelow; }
  Batch& batch() { return batch_; }

  const Poller& poller() const { return *poller_; }
  int notify_fd() const { return poller_->notify_fd(); }
  void ArmNotify() { poller_->ArmNotify(); }

  // ---- raw descriptors --------------------------------------------------------------------
  // Add returns a name (>= 0) or -errno; the others 0 or -errno (-ENOENT for a stale name).
  // An `owned` registration gives the core the duty to close fd, but only if the core closes
  // (Close: reactor.close(), the finalizer, environment teardown) while it is still registered.
  // Remove hands the descriptor back untouched: whoever removed it closes it, exactly as with
  // any raw descriptor, so a descriptor is closed by one side only, once. The owner must remove
  // it before closing it (one closed under its registration is no longer the core's to close).
  int64_t Add(int fd, uint32_t interest, Trigger trigger, bool owned = false);
  int Modify(uint32_t slot, uint32_t generation, uint32_t interest);
  int Remove(uint32_t slot, uint32_t generation);

  // ---- owned sockets: creation returns a name (>= 0) or -errno ----------------------------
  int64_t Listen(const SocketAddress& address, int backlog, bool reuse_port, Trigger trigger);
  // Adopted descriptors are checked: a listener must be a listening stream socket, a stream a
  // connected (or connecting) one; anything else is refused with -EINVAL or -ENOTSOCK.
  int64_t AdoptListener(int fd, Trigger trigger);
  int64_t AdoptStream(int fd, Trigger trigger);
  int64_t Connect(const SocketAddress& address, const SocketAddress* bind_address, Trigger trigger);
  // The rest take the name and return -EBADF for a stale one (the JavaScript side treats that
  // as "already closed").
  // Sends or queues `count` chunks in order; returns the bytes still buffered, or -errno (-EPIPE
  // once shut). Bytes not sent before it returns are copied: the caller's memory is free again.
  //  - Nothing queued and not dispatching: sent at once.
  //  - During dispatch, small writes (below kDirectWriteSize in all) are copied into the queue
  //    and sent with one system call per connection before the next wait (coalescing).
  //  - A large write is sent at once, behind whatever was coalesced before it, with sendmsg
  //    over both (no copy of either), in groups of at most IOV_MAX chunks.
  //  - While the kernel refuses more (a partial send left bytes queued), writes are queued.
  int64_t Write(uint32_t slot, uint32_t generation, const iovec* chunks, size_t count);
  int CloseStream(uint32_t slot, uint32_t generation, CloseMode mode);
  int SetReading(uint32_t slot, uint32_t generation, bool reading);
  int SetHalfClose(uint32_t slot, uint32_t generation, bool enabled);
  int RequestDrain(uint32_t slot, uint32_t generation);
  int ResumeListener(uint32_t slot, uint32_t generation);
  int CloseListener(uint32_t slot, uint32_t generation);
  // The descriptor of an owned socket, or -EBADF.
  int SocketFd(uint32_t slot, uint32_t generation);
  int64_t Pending(uint32_t slot, uint32_t generation);

  // ---- descriptor passing (UNIX streams; reactor_core_descriptors.cc) ---------------------
  // Queues a copy of fd to ride with the next byte written. 0 or -errno: -EAFNOSUPPORT for a
  // stream that is not UNIX, -EPIPE once closing, -ENOBUFS past kMaxQueuedDescriptors, -EBADF
  // for fd not open, -ENOTCONN for a stale name.
  int SendDescriptor(uint32_t slot, uint32_t generation, int fd);
  // JavaScript handed a received descriptor (from a DESCRIPTOR record) to its protocol: the
  // core no longer closes it when the batch is consumed. 0 or -ENOENT.
  int ClaimDescriptor(int fd);
  // ---- owned datagram sockets (reactor_core_datagrams.cc) ---------------------------------
  // A datagram socket of `family` (Family), bound to bind_address unless null: a name or -errno.
  int64_t OpenDatagram(int family, const SocketAddress* bind_address, size_t max_packet, Trigger trigger);
  // Adopts a datagram socket (anything else: -EINVAL or -ENOTSOCK).
  int64_t AdoptDatagram(int fd, size_t max_packet, Trigger trigger);
  int ConnectDatagram(uint32_t slot, uint32_t generation, const SocketAddress& address);
  // Sends one datagram (to the connected peer when `to` is null): at once outside dispatch,
  // else queued and sent with the others of the batch in one sendmmsg (FlushQueued). 0 when
  // sent, queued or dropped because the kernel's buffer is full (counted); else -errno.
  int WriteDatagram(uint32_t slot, uint32_t generation, const uint8_t* data, size_t length, const SocketAddress* to);
  // Sends the datagrams JavaScript staged during a batch's deliveries (StagedDatagramHeader
  // each, back to back, `length` bytes) straight from `staged`: one sendmmsg per run of
  // consecutive datagrams for the same port, after what that port queued earlier in the batch.
  // Stale names are skipped; a full send buffer drops the rest of that run (counted). How many
  // the kernel took, or -EINVAL when some were malformed (the others are sent).
  int WriteStagedDatagrams(const uint8_t* staged, size_t length);
  int CloseDatagram(uint32_t slot, uint32_t generation);
  // The live datagram socket a name names, or nullptr.
  Registration* NamedDatagram(uint32_t slot, uint32_t generation);

  // ---- batches ----------------------------------------------------------------------------
  // Serves the edge-mode ready list, then waits up to timeout_ms and serves what the kernel
  // reports, appending records. Returns how many reports the kernel gave, or -errno.
  int Collect(int timeout_ms);
  // JavaScript was handed the first `delivered` records (whether or not it got through them:
  // records are delivered at most once); keep those added since.
  void Consumed(int delivered);
  // Sends what was written during dispatch (one send per connection per batch).
  void FlushQueued();
  // Ends the batch: re-arms fired one-shot registrations, frees quarantined slots.
  void EndBatch();
  void set_dispatching(bool on) { dispatching_ = on; }
  bool dispatching() const { return dispatching_; }
  // Work that needs no kernel report: records to deliver, or edge-mode sockets with more data.
  bool HasPendingWork() const { return batch_.count > 0 || !batch_.overflow.empty() || !ready_list_.empty(); }

  const uint64_t* counters() const { return counters_; }
  size_t registration_count() const { return slots_.live_count(); }
  size_t held_count() const { return slots_.held_count(); }

 private:
  // Takes a slot for fd, registers it with the poller and records that the slot owns the
  // descriptor number. Streams compute their own interest from `state`; listeners read.
  int64_t AddRegistration(int fd, Trigger trigger, Kind kind, uint32_t interest, StreamState state);
  // Records which slot owns a descriptor number. A raw registration whose number is taken over
  // by a socket of ours was closed by its owner without removing it: it is told so (READY_INVALID)
  // and forgotten by the poller, so its later removal cannot deregister the new socket.
  void Own(int fd, uint32_t slot);
  void Disown(int fd, uint32_t slot);
  bool Owns(int fd, uint32_t slot) const;
  // The live registration that owns a descriptor number, or nullptr.
  Registration* OwnerOf(int fd);
  Registration* NamedStream(uint32_t slot, uint32_t generation);
  // The poller's add, modify and remove, counted (kCounterPollerChanges) in one place.
  int PollerAdd(int fd, uint64_t token, uint32_t interest, Trigger trigger) {
    counters_[kCounterPollerChanges]++;
    return poller_->Add(fd, token, interest, trigger);
  }
  int PollerModify(int fd, uint64_t token, uint32_t interest, Trigger trigger) {
    counters_[kCounterPollerChanges]++;
    return poller_->Modify(fd, token, interest, trigger);
  }
  int PollerRemove(int fd, uint32_t interest) {
    counters_[kCounterPollerChanges]++;
    return poller_->Remove(fd, interest);
  }
  int Register(Registration& r, uint32_t slot, uint32_t interest);
  int SetInterest(Registration& r, uint32_t slot, uint32_t interest);
  uint32_t StreamInterest(const Registration& r) const;
  void Serve(Registration& r, uint32_t slot, uint32_t ready);
  void ServeListener(Registration& r, uint32_t slot);
  void ServeStream(Registration& r, uint32_t slot, uint32_t ready);
  void FinishConnect(Registration& r, uint32_t slot);
  void ReadStream(Registration& r, uint32_t slot, uint32_t ready);
  void Flush(Registration& r, uint32_t slot);
  // One send of queued bytes; with descriptors queued, bytes up to the next one's position, or
  // the descriptors at the head with the bytes up to the next position. Bytes sent or -errno.
  ssize_t SendQueued(Registration& r);
  ssize_t SendQueuedWithDescriptors(Registration& r);
  // recvmsg for UNIX streams: adds a DESCRIPTOR record per descriptor received, then returns
  // as read() does. `*truncated`: the peer sent more descriptors than one message may carry.
  ssize_t ReceivePassing(Registration& r, uint32_t slot, uint8_t* buffer, size_t length, bool* truncated);
  // Room in this batch for another message's descriptors and their records.
  bool HasRoomForDescriptors() const;
  // Closes received descriptors no protocol claimed (their records were delivered, or never will be).
  void CloseUnclaimedDescriptors();
  // Sends what is queued, then the chunks, until all is sent or the kernel takes no more;
  // copies what is left of the chunks into the queue.
  void SendNow(Registration& r, uint32_t slot, const iovec* chunks, size_t count);
  // An empty queue keeps a little capacity for the next writes and frees the rest.
  static void ResetQueue(Stream& s);
  // Closes an owned socket. With a record type (kRecordClosed, kRecordConnectFailed) the close
  // is reported and the slot held until the record is delivered; with 0 the caller already
  // knows and the slot is only quarantined.
  void ServeDatagram(Registration& r, uint32_t slot);
  // Sends the datagrams written during dispatch, dropping (and counting) what the kernel refuses.
  void FlushDatagrams(Registration& r, uint32_t slot);
  // Sends send_slots_[0, count) on r's socket. A refused datagram is reported and the rest still
  // go; false when the kernel took no more (what was left is dropped and counted).
  bool SendDatagramSlots(Registration& r, uint32_t slot, int count);
  // Sends every port's queued datagrams now (a port is closing during dispatch).
  void FlushAllQueuedDatagrams();
  int64_t AddDatagram(int fd, int family, size_t max_packet, Trigger trigger);
  void CloseOwned(Registration& r, uint32_t slot, int32_t record, int error);
  void Defer(Registration& r, uint32_t slot);
  void HandleAcceptError(Registration& r, uint32_t slot, int error);
  void AddRecord(int32_t type, uint32_t slot, int32_t a = 0, int32_t b = 0, int32_t c = 0) { batch_.Add(type, slot, slots_.At(slot).generation, a, b, c); }

  std::unique_ptr<Poller> poller_;
  SlotTable slots_;
  Batch batch_;
  std::unique_ptr<ReadyEvent[]> events_;         // kWaitCapacity reports, allocated while open
  std::vector<uint64_t> fired_oneshot_;          // tokens reported in the current batch
  std::vector<uint64_t> flush_list_;             // streams written to during dispatch
  std::vector<uint64_t> ready_list_;             // edge-mode streams with data or accepts left over
  std::vector<uint32_t> fd_owner_;               // descriptor number -> owning slot + 1 (0: none)
  std::vector<iovec> iovecs_;                    // SendNow's scratch, kept between calls
  ReceiveSlot receive_slots_[kMaxReceiveBatch];  // ServeDatagram's scratch
  SendSlot send_slots_[kMaxSendBatch];           // FlushDatagrams' and WriteStagedDatagrams' scratch
  SocketAddress send_addresses_[kMaxSendBatch];  // WriteStagedDatagrams' destinations, decoded
  std::vector<int> received_fds_;                // received, in records not yet consumed, unclaimed
  uint64_t counters_[kCounterCount] = {};
  bool in_batch_ = false;
  bool dispatching_ = false;
  int spare_fd_ = -1;  // reserved descriptor, released to shed a connection on EMFILE
};

}  // namespace ioreactor

#endif  // IOREACTOR_REACTOR_CORE_H_
