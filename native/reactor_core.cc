#include "reactor_core.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

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
    if (r.live && r.kind != Kind::kRaw) CloseOwned(r, slot, 0, false);
  }
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  poller_->Close();
  poller_.reset();
  ready_list_.clear();
  flush_list_.clear();
  fired_oneshot_.clear();
  batch_.count = 0;
  batch_.arena_used = 0;
  batch_.overflow.clear();
}

int ReactorCore::Register(Registration& r, uint32_t slot, uint32_t interest) {
  const int rc = poller_->Add(r.fd, SlotTable::Token(slot, r.generation), interest, r.trigger);
  if (rc < 0) return rc;
  r.interest = interest;
  r.registered = true;
  r.armed = true;
  return 0;
}

int ReactorCore::Add(int fd, uint32_t interest, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  // poll(2) accepts a closed descriptor and reports POLLNVAL later; check up front so every
  // backend rejects it the same way, at the call that made the mistake.
  if (fcntl(fd, F_GETFD) < 0) return -errno;
  const uint32_t slot = slots_.Allocate();
  Registration& r = *slots_.Get(slot);
  r.fd = fd;
  r.trigger = trigger;
  r.kind = Kind::kRaw;
  const int rc = Register(r, slot, interest);
  if (rc < 0) {
    slots_.Release(slot, in_batch_);
    return rc;
  }
  return static_cast<int>(slot);
}

int ReactorCore::Modify(uint32_t slot, uint32_t interest) {
  Registration* r = slots_.Get(slot);
  if (r == nullptr || r->kind != Kind::kRaw) return -ENOENT;
  const int rc = poller_->Modify(r->fd, SlotTable::Token(slot, r->generation), interest, r->trigger);
  if (rc < 0) return rc;
  r->interest = interest;
  r->armed = true;
  return 0;
}

int ReactorCore::Remove(uint32_t slot) {
  Registration* r = slots_.Get(slot);
  if (r == nullptr || r->kind != Kind::kRaw) return -ENOENT;
  int rc = poller_->Remove(r->fd, r->interest);
  // The owner closed the descriptor first: the kernel already forgot it (epoll, kqueue).
  if (rc == -EBADF || rc == -ENOENT) rc = 0;
  slots_.Release(slot, in_batch_);
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
    if (r.registered) poller_->Remove(r.fd, r.interest);
    r.registered = false;
    r.interest = 0;
    return 0;
  }
  if (!r.registered) {
    if (r.trigger == Trigger::kEdge && r.kind == Kind::kStream) interest = kInterestRead | kInterestWrite;
    return Register(r, slot, interest);
  }
  if (interest == r.interest) return 0;
  const int rc = poller_->Modify(r.fd, SlotTable::Token(slot, r.generation), interest, r.trigger);
  if (rc < 0) return rc;
  r.interest = interest;
  r.armed = true;
  return 0;
}

int ReactorCore::Collect(int timeout_ms) {
  in_batch_ = true;
  if (!ready_list_.empty()) {
    std::vector<uint64_t> ready;
    ready.swap(ready_list_);
    for (uint64_t token : ready) {
      Registration* r = slots_.Resolve(token);
      if (r == nullptr) continue;
      if (r->stream) r->stream->queued_ready = false;
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
  const int n = poller_->Wait(events_, std::min(kWaitCapacity, room), timeout_ms);
  if (n < 0) return n;
  for (int i = 0; i < n; i++) {
    const uint64_t token = events_[i].token;
    Registration* r = slots_.Resolve(token);
    if (r == nullptr) continue;  // removed after the kernel queued this report
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
      batch_.Add(kRecordRaw, static_cast<int32_t>(slot), static_cast<int32_t>(ready), 0);
      break;
    case Kind::kListener:
      ServeListener(r, slot);
      break;
    case Kind::kStream:
      ServeStream(r, slot, ready);
      break;
  }
}

void ReactorCore::Consumed(int delivered) {
  const int left = batch_.count - delivered;
  if (left > 0) std::memmove(batch_.records, batch_.records + delivered, sizeof(Record) * left);
  batch_.count = left > 0 ? left : 0;
  // Records added during dispatch (closes, drains) never point into the arena.
  batch_.arena_used = 0;
  batch_.Refill();
}

void ReactorCore::EndBatch() {
  for (uint64_t token : fired_oneshot_) {
    Registration* r = slots_.Resolve(token);
    if (r == nullptr || r->armed || !r->registered || r->interest == 0) continue;
    // A failure here means the descriptor went away under us; its owner learns that from
    // its next read or write, so there is nothing useful to report from here.
    if (poller_->Modify(r->fd, token, r->interest, r->trigger) == 0) r->armed = true;
  }
  fired_oneshot_.clear();
  slots_.EndBatch();
  in_batch_ = false;
}

}  // namespace ioreactor
