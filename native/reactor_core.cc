#include "reactor_core.h"

#include <errno.h>
#include <fcntl.h>

namespace ioreactor {

int ReactorCore::Open(std::unique_ptr<Poller> poller) {
  int rc = poller->Open();
  if (rc < 0) return rc;
  poller_ = std::move(poller);
  return 0;
}

void ReactorCore::Close() {
  if (poller_ == nullptr) return;
  poller_->Close();
  poller_.reset();
}

int ReactorCore::Add(int fd, uint32_t interest, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  // poll(2) accepts a closed descriptor and reports POLLNVAL later; check up front so every
  // backend rejects it the same way, at the call that made the mistake.
  if (fcntl(fd, F_GETFD) < 0) return -errno;
  const uint32_t slot = slots_.Allocate();
  Registration& r = *slots_.Get(slot);
  const int rc = poller_->Add(fd, SlotTable::Token(slot, r.generation), interest, trigger);
  if (rc < 0) {
    slots_.Release(slot, in_batch_);
    return rc;
  }
  r.fd = fd;
  r.interest = interest;
  r.trigger = trigger;
  r.armed = true;
  return static_cast<int>(slot);
}

int ReactorCore::Modify(uint32_t slot, uint32_t interest) {
  Registration* r = slots_.Get(slot);
  if (r == nullptr) return -ENOENT;
  const int rc = poller_->Modify(r->fd, SlotTable::Token(slot, r->generation), interest, r->trigger);
  if (rc < 0) return rc;
  r->interest = interest;
  r->armed = true;
  return 0;
}

int ReactorCore::Remove(uint32_t slot) {
  Registration* r = slots_.Get(slot);
  if (r == nullptr) return -ENOENT;
  int rc = poller_->Remove(r->fd, r->interest);
  // The owner closed the descriptor first: the kernel already forgot it (epoll, kqueue).
  if (rc == -EBADF || rc == -ENOENT) rc = 0;
  slots_.Release(slot, in_batch_);
  return rc;
}

int ReactorCore::Collect(BatchRecord* records, int capacity, int timeout_ms, int* kernel_count) {
  if (capacity > kBatchCapacity) capacity = kBatchCapacity;
  const int n = poller_->Wait(events_, capacity, timeout_ms);
  *kernel_count = n < 0 ? 0 : n;
  if (n < 0) return n;
  in_batch_ = true;
  int count = 0;
  for (int i = 0; i < n; i++) {
    const uint64_t token = events_[i].token;
    Registration* r = slots_.Resolve(token);
    if (r == nullptr) continue;  // removed after the kernel queued this report
    if (r->trigger == Trigger::kOneshot) {
      r->armed = false;
      fired_oneshot_.push_back(token);
    }
    records[count].slot = static_cast<int32_t>(token & 0xffffffffu);
    records[count].ready = static_cast<int32_t>(events_[i].ready);
    count++;
  }
  return count;
}

void ReactorCore::EndBatch() {
  for (uint64_t token : fired_oneshot_) {
    Registration* r = slots_.Resolve(token);
    if (r == nullptr || r->armed) continue;
    // A failure here means the descriptor went away under us; its owner learns that from
    // its next read or write, so there is nothing useful to report from here.
    if (poller_->Modify(r->fd, token, r->interest, r->trigger) == 0) r->armed = true;
  }
  fired_oneshot_.clear();
  slots_.EndBatch();
  in_batch_ = false;
}

}  // namespace ioreactor
