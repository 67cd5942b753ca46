#include "reactor_core.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "child_descriptors.h"
#include "orphan_reaper.h"

namespace ioreactor {

int ReactorCore::Open(std::unique_ptr<Poller> poller) {
  int rc = poller->Open();
  if (rc < 0) return rc;
  poller_ = std::move(poller);
  return 0;
}

void ReactorCore::Close() {
  if (poller_ == nullptr) return;
  for (uint32_t slot = 0; slot < slots_.capacity(); slot++) {
    Registration& r = slots_.At(slot);
    if (r.live && r.kind != Kind::kRaw) {
      CloseOwned(r, slot, 0, 0);
    } else if (r.live) {
      // An owned raw descriptor is closed only while its number is still this slot's: one its
      // owner closed (and whose number another registration took) is not ours to close. The
      // poller forgets it when it closes below. A child's exit watcher goes to the orphan reaper.
      if (r.owned && Owns(r.fd, slot)) CloseOwnedDescriptor(r.fd);
      Disown(r.fd, slot);
      slots_.Release(slot, in_batch_, false);
    }
  }
  CloseUnclaimedDescriptors();
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  poller_->Close();
  poller_.reset();
  events_.reset();
  ready_list_.clear();
  flush_list_.clear();
  fired_oneshot_.clear();
  std::vector<uint32_t>().swap(fd_owner_);
  batch_.count = 0;
  batch_.arena_used = 0;
  batch_.arena_kept = 0;
  batch_.overflow.clear();
  batch_.records = nullptr;
  batch_.arena = nullptr;
}

void ReactorCore::Own(int fd, uint32_t slot) {
  const size_t index = static_cast<size_t>(fd);
  if (index >= fd_owner_.size()) fd_owner_.resize(std::max(index + 1, fd_owner_.size() * 2), 0);
  const uint32_t previous = fd_owner_[index];
  if (previous != 0 && previous - 1 != slot) {
    Registration* stale = OwnerOf(fd);
    // The number is another registration's now: never close it for the old one.
    if (stale != nullptr) stale->owned = false;
    if (stale != nullptr && stale->kind == Kind::kRaw && stale->registered) {
      // The owner closed it while registered and the number came back to us. Called before
      // the new descriptor is registered, so deleting by number removes only what is left of
      // the old one (poll(2) keeps entries by number; epoll and kqueue already dropped theirs
      // at close, unless a duplicate keeps the old file open, and then its reports are stale).
      // JavaScript removes the registration when told.
      PollerRemove(stale->fd, stale->interest);
      stale->registered = false;
      AddRecord(kRecordRaw, previous - 1, static_cast<int32_t>(kReadyInvalid));
    }
  }
  fd_owner_[index] = slot + 1;
}

void ReactorCore::Disown(int fd, uint32_t slot) {
  if (Owns(fd, slot)) fd_owner_[static_cast<size_t>(fd)] = 0;
}

Registration* ReactorCore::OwnerOf(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= fd_owner_.size() || fd_owner_[static_cast<size_t>(fd)] == 0) return nullptr;
  return slots_.Get(fd_owner_[static_cast<size_t>(fd)] - 1);
}

bool ReactorCore::Owns(int fd, uint32_t slot) const {
  return fd >= 0 && static_cast<size_t>(fd) < fd_owner_.size() && fd_owner_[static_cast<size_t>(fd)] == slot + 1;
}

int ReactorCore::Register(Registration& r, uint32_t slot, uint32_t interest) {
  const int rc = PollerAdd(r.fd, SlotTable::Token(slot, r.generation), interest, r.trigger);
  if (rc < 0) return rc;
  r.interest = interest;
  r.registered = true;
  r.armed = true;
  return 0;
}

int64_t ReactorCore::Add(int fd, uint32_t interest, Trigger trigger, bool owned) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  // poll(2) accepts a closed descriptor and reports POLLNVAL later; check up front so every
  // backend rejects it the same way, at the call that made the mistake.
  if (fcntl(fd, F_GETFD) < 0) return -errno;
  // A socket this reactor owns is served by the core; raw readiness would steal its reports.
  const Registration* owner = OwnerOf(fd);
  if (owner != nullptr && owner->kind != Kind::kRaw) return -EEXIST;
  const int64_t name = AddRegistration(fd, trigger, Kind::kRaw, interest, StreamState::kOpen);
  if (name >= 0 && owned) {
    slots_.Named(static_cast<uint32_t>(name >> 32), static_cast<uint32_t>(name))->owned = true;
    SetHeldByReactor(fd, true);
  }
  return name;
}

int64_t ReactorCore::AddRegistration(int fd, Trigger trigger, Kind kind, uint32_t interest, StreamState state) {
  if (kind == Kind::kListener && spare_fd_ < 0) spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int64_t allocated = slots_.Allocate();
  if (allocated < 0) return allocated;
  const uint32_t slot = static_cast<uint32_t>(allocated);
  Registration& r = *slots_.Get(slot);
  r.fd = fd;
  r.trigger = trigger;
  r.kind = kind;
  if (kind == Kind::kListener) r.listener.reset(new Listener());
  if (kind == Kind::kDatagram) r.datagram.reset(new Datagram());
  if (kind == Kind::kStream) {
    r.stream.reset(new Stream());
    r.stream->state = state;
    // Edge registrations are made once with both directions (see SetInterest).
    interest = trigger == Trigger::kEdge ? kInterestRead | kInterestWrite : StreamInterest(r);
  }
  Own(fd, slot);
  const int rc = Register(r, slot, interest);
  if (rc < 0) {
    Disown(fd, slot);
    slots_.Release(slot, in_batch_, false);
    return rc;
  }
  return NameOf(slot, r.generation);
}

int ReactorCore::Modify(uint32_t slot, uint32_t generation, uint32_t interest) {
  Registration* r = slots_.Named(slot, generation);
  if (r == nullptr || r->kind != Kind::kRaw) return -ENOENT;
  if (!r->registered) return 0;  // its descriptor was closed under it: nothing to change
  const int rc = PollerModify(r->fd, SlotTable::Token(slot, r->generation), interest, r->trigger);
  if (rc < 0) return rc;
  r->interest = interest;
  r->armed = true;
  return 0;
}

int ReactorCore::Remove(uint32_t slot, uint32_t generation) {
  Registration* r = slots_.Named(slot, generation);
  if (r == nullptr || r->kind != Kind::kRaw) return -ENOENT;
  int rc = 0;
  // Deleting by number is only safe while the number is still ours: if the owner closed it
  // and another registration took the number, the kernel already forgot this one.
  if (r->registered && Owns(r->fd, slot)) {
    rc = PollerRemove(r->fd, r->interest);
    // The owner closed the descriptor first: the kernel already forgot it (epoll, kqueue).
    if (rc == -EBADF || rc == -ENOENT) rc = 0;
  }
  // An owned descriptor is handed back open: the caller closes it (see Add).
  if (r->owned && Owns(r->fd, slot)) SetHeldByReactor(r->fd, false);
  Disown(r->fd, slot);
  slots_.Release(slot, in_batch_, false);
  return rc;
}

int ReactorCore::SetInterest(Registration& r, uint32_t slot, uint32_t interest) {
  if (r.trigger == Trigger::kEdge && r.registered && interest != 0) {
    // Edge registrations are made once with every direction a stream may need: changing them
    // would cost a system call to save a report that costs nothing when ignored.
    return 0;
  }
  if (interest == 0) {
    // Leave the poller entirely: a level registration with no interest would still report
    // hang-ups, over and over, while nobody is willing to act on them.
    if (r.registered) {
      PollerRemove(r.fd, r.interest);
    }
    r.registered = false;
    r.interest = 0;
    return 0;
  }
  if (!r.registered) {
    // Back into the poller after leaving it (AddRegistration makes the first registration).
    if (r.trigger == Trigger::kEdge && r.kind != Kind::kRaw) {
      interest = r.kind == Kind::kStream ? kInterestRead | kInterestWrite : kInterestRead;
      // Whatever became ready while unregistered may never raise another edge: look now.
      Defer(r, slot);
    }
    return Register(r, slot, interest);
  }
  if (interest == r.interest) return 0;
  const int rc = PollerModify(r.fd, SlotTable::Token(slot, r.generation), interest, r.trigger);
  if (rc < 0) return rc;
  r.interest = interest;
  r.armed = true;
  return 0;
}

int ReactorCore::Collect(int timeout_ms) {
  in_batch_ = true;
  counters_[kCounterBatches]++;
  if (!ready_list_.empty()) {
    std::vector<uint64_t> ready;
    ready.swap(ready_list_);
    for (uint64_t token : ready) {
      Registration* r = slots_.Resolve(token);
      if (r == nullptr) continue;
      if (r->stream) r->stream->queued_ready = false;
      if (r->datagram) r->datagram->queued_ready = false;
      // Read until EAGAIN (no stopping at a short read): the edge that announced this data may
      // also have announced the end of the stream, and it will not be announced again.
      Serve(*r, static_cast<uint32_t>(token), kReadyRead | kReadyReadHangup);
    }
    timeout_ms = 0;
  }
  // Never take more reports than there is room to record: a report taken and not recorded
  // would be lost in edge mode.
  const int room = Batch::kRecordCapacity - Batch::kReservedRecords - batch_.count;
  if (room <= 0) return 0;
  // Allocated at the first wait, as the pollers do theirs: a reactor that never runs costs
  // little more than its descriptors.
  if (events_ == nullptr) events_.reset(new (std::nothrow) ReadyEvent[kWaitCapacity]);
  if (events_ == nullptr) return -ENOMEM;
  counters_[kCounterWaits]++;
  const int n = poller_->Wait(events_.get(), std::min(kWaitCapacity, room), timeout_ms);
  if (n < 0) return n;
  counters_[kCounterEvents] += static_cast<uint64_t>(n);
  for (int i = 0; i < n; i++) {
    const uint64_t token = events_[i].token;
    Registration* r = slots_.Resolve(token);
    if (r == nullptr || !r->registered) continue;  // removed after the kernel queued this report
    if (r->trigger == Trigger::kOneshot) {
      r->armed = false;
      fired_oneshot_.push_back(token);
    }
    Serve(*r, static_cast<uint32_t>(token), events_[i].ready);
  }
  return n;
}

void ReactorCore::Serve(Registration& r, uint32_t slot, uint32_t ready) {
  switch (r.kind) {
    case Kind::kRaw:
      AddRecord(kRecordRaw, slot, static_cast<int32_t>(ready));
      break;
    case Kind::kListener:
      ServeListener(r, slot);
      break;
    case Kind::kStream:
      ServeStream(r, slot, ready);
      break;
    case Kind::kDatagram:
      ServeDatagram(r, slot);
      break;
  }
}

void ReactorCore::Consumed(int delivered) {
  // A slot whose close JavaScript has now been told of may be reused once this batch ends.
  for (int i = 0; i < delivered && i < batch_.count; i++) {
    const int32_t type = batch_.records[i].type;
    if (type == kRecordClosed || type == kRecordConnectFailed) slots_.Delivered(static_cast<uint32_t>(batch_.records[i].slot));
  }
  // Every descriptor record was among those delivered (reads add none during dispatch): what
  // no protocol claimed is closed.
  CloseUnclaimedDescriptors();
  const int left = batch_.count - delivered;
  if (left > 0) std::memmove(batch_.records, batch_.records + delivered, sizeof(Record) * left);
  batch_.count = left > 0 ? left : 0;
  // Records added during dispatch (closes, drains) never point into the arena; what JavaScript
  // kept of it (KeepArena) is never written again.
  batch_.arena_used = batch_.arena_kept;
  batch_.Refill();
}

void ReactorCore::EndBatch() {
  for (uint64_t token : fired_oneshot_) {
    Registration* r = slots_.Resolve(token);
    if (r == nullptr || r->armed || !r->registered || r->interest == 0) continue;
    // A failure here means the descriptor went away under us; its owner learns that from
    // its next read or write, so there is nothing useful to report from here.
    if (PollerModify(r->fd, token, r->interest, r->trigger) == 0) r->armed = true;
  }
  fired_oneshot_.clear();
  slots_.EndBatch();
  in_batch_ = false;
}

}  // namespace ioreactor
