// ReactorCore's stream methods: accepting, connecting, reading into the batch arena, and
// writes (sent at once, coalesced during dispatch, or queued). Registration, the poller and
// batches are in reactor_core.cc; the class is declared in reactor_core.h.
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "reactor_core.h"

namespace ioreactor {

namespace {

// Most a stream may read in one batch before others get their turn (edge mode keeps a
// ready list for what it leaves behind; level and one-shot get reported again).
constexpr size_t kStreamReadBudget = 64 * 1024;
// Smallest useful read: below this much free arena, reading waits for the next batch.
constexpr size_t kMinReadSpace = 4096;
// Accepts per listener report: enough to drain a burst, few enough to stay fair.
constexpr int kAcceptBudgetEdge = 64;
constexpr int kAcceptBudgetLevel = 16;
// A drained write buffer keeps this much capacity for the next writes and frees the rest.
constexpr size_t kKeepWriteCapacity = 64 * 1024;
// Writes at least this large are sent at once even during dispatch (behind what was coalesced
// before them, in one sendmsg), to skip copying them into the queue. Below it, copying into the
// queue costs less than the system call it may save.
constexpr size_t kDirectWriteSize = 8 * 1024;

size_t AlignUp(size_t n) { return (n + 7) & ~static_cast<size_t>(7); }

}  // namespace

Registration* ReactorCore::NamedStream(uint32_t slot, uint32_t generation) {
  Registration* r = slots_.Named(slot, generation);
  return r != nullptr && r->kind == Kind::kStream ? r : nullptr;
}

uint32_t ReactorCore::StreamInterest(const Registration& r) const {
  const Stream& s = *r.stream;
  if (s.state == StreamState::kConnecting) return kInterestWrite;
  const uint32_t read = s.reading && !s.read_closed ? static_cast<uint32_t>(kInterestRead) : 0u;
  const uint32_t write = s.pending() > 0 ? static_cast<uint32_t>(kInterestWrite) : 0u;
  return read | write;
}

int64_t ReactorCore::Listen(const SocketAddress& address, int backlog, bool reuse_port, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  const int fd = OpenListener(address, backlog, reuse_port);
  if (fd < 0) return fd;
  const int64_t name = AddRegistration(fd, trigger, Kind::kListener, kInterestRead, StreamState::kOpen);
  if (name < 0) ::close(fd);
  return name;
}

int64_t ReactorCore::AdoptListener(int fd, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  // A socket that is not listening would make accept fail on every report, forever.
  const int rc = CheckStreamSocket(fd, true);
  if (rc < 0) return rc;
  return AddRegistration(fd, trigger, Kind::kListener, kInterestRead, StreamState::kOpen);
}

int64_t ReactorCore::AdoptStream(int fd, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  const int rc = CheckStreamSocket(fd, false);
  if (rc < 0) return rc;
  return AddRegistration(fd, trigger, Kind::kStream, 0, StreamState::kOpen);
}

int64_t ReactorCore::Connect(const SocketAddress& address, const SocketAddress* bind_address, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  const int fd = StartConnect(address, bind_address);
  if (fd < 0) return fd;
  const int64_t name = AddRegistration(fd, trigger, Kind::kStream, 0, StreamState::kConnecting);
  if (name < 0) ::close(fd);
  return name;
}

void ReactorCore::ServeListener(Registration& listener, uint32_t slot) {
  const int listen_fd = listener.fd;
  const Trigger trigger = listener.trigger;
  int budget = trigger == Trigger::kEdge ? kAcceptBudgetEdge : kAcceptBudgetLevel;
  while (budget-- > 0) {
    if (!batch_.HasRoomForReads(AlignUp(batch_.arena_used) - batch_.arena_used + sizeof(AddressBlob))) {
      Defer(*slots_.Get(slot), slot);
      return;
    }
    AddressBlob peer;
    counters_[kCounterAccepts]++;
    const int fd = AcceptConnection(listen_fd, &peer);
    if (fd < 0) {
      if (fd == -EAGAIN || fd == -EWOULDBLOCK) return;
      if (IsTransientAcceptError(-fd)) continue;  // that connection is gone; the next may not be
      HandleAcceptError(*slots_.Get(slot), slot, -fd);
      return;
    }
    // AddRegistration may grow the slot table: never hold a Registration& across it.
    const int64_t conn = AddRegistration(fd, trigger, Kind::kStream, 0, StreamState::kOpen);
    if (conn < 0) {
      ::close(fd);
      continue;
    }
    const uint32_t conn_slot = static_cast<uint32_t>(conn >> 32);
    const size_t offset = AlignUp(batch_.arena_used);
    std::memcpy(batch_.arena + offset, &peer, sizeof peer);
    batch_.arena_used = offset + sizeof peer;
    AddRecord(kRecordAccept, conn_slot, static_cast<int32_t>(slot), static_cast<int32_t>(slots_.At(slot).generation), static_cast<int32_t>(offset));
  }
  Defer(*slots_.Get(slot), slot);  // edge mode: more may be waiting
}

void ReactorCore::HandleAcceptError(Registration& r, uint32_t slot, int error) {
  const bool out_of_descriptors = error == EMFILE || error == ENFILE;
  if (out_of_descriptors && spare_fd_ >= 0) {
    // Free the reserved descriptor long enough to accept and close one pending connection:
    // that peer sees a clean close instead of hanging, and the backlog shrinks.
    ::close(spare_fd_);
    AddressBlob ignored;
    const int fd = AcceptConnection(r.fd, &ignored);
    if (fd >= 0) ::close(fd);
    spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  // Stop accepting; JavaScript resumes after a back-off. Retrying at once would spin: a level
  // listener is reported again at once, and whatever failed (no descriptors, no memory, a
  // socket that cannot accept at all) is unlikely to have changed.
  r.listener->paused = true;
  SetInterest(r, slot, 0);
  AddRecord(kRecordAcceptError, slot, -error);
}

int ReactorCore::ResumeListener(uint32_t slot, uint32_t generation) {
  Registration* r = slots_.Named(slot, generation);
  if (r == nullptr || r->kind != Kind::kListener) return -EBADF;
  if (!r->listener->paused) return 0;
  r->listener->paused = false;
  return SetInterest(*r, slot, kInterestRead);
}

int ReactorCore::CloseListener(uint32_t slot, uint32_t generation) {
  Registration* r = slots_.Named(slot, generation);
  if (r == nullptr || r->kind != Kind::kListener) return -EBADF;
  CloseOwned(*r, slot, 0, 0);
  return 0;
}

void ReactorCore::ServeStream(Registration& r, uint32_t slot, uint32_t ready) {
  Stream& s = *r.stream;
  if (s.state == StreamState::kConnecting) {
    if (ready & (kReadyWrite | kReadyError | kReadyHangup)) FinishConnect(r, slot);
    return;
  }
  if ((ready & kReadyWrite) && s.pending() > 0) {
    Flush(r, slot);
    if (!r.live) return;
  }
  if ((ready & (kReadyRead | kReadyReadHangup | kReadyHangup | kReadyError)) && s.reading && !s.read_closed) {
    ReadStream(r, slot, ready);
  } else if (ready & kReadyError) {
    const int err = TakeSocketError(r.fd);
    if (err != 0) CloseOwned(r, slot, kRecordClosed, err > 0 ? -err : err);
  }
}

void ReactorCore::FinishConnect(Registration& r, uint32_t slot) {
  const int err = TakeSocketError(r.fd);
  if (err != 0) {
    CloseOwned(r, slot, kRecordConnectFailed, err > 0 ? -err : err);
    return;
  }
  r.stream->state = StreamState::kOpen;
  SetInterest(r, slot, StreamInterest(r));
  AddRecord(kRecordConnected, slot);
  // The edge that announced the connection may also have carried the peer's first bytes and
  // even its FIN; it will not be raised again, so read as if it had been reported.
  Defer(r, slot);
  if (r.stream->pending() > 0) Flush(r, slot);
}

void ReactorCore::ReadStream(Registration& r, uint32_t slot, uint32_t ready) {
  Stream& s = *r.stream;
  size_t budget = kStreamReadBudget;
  for (;;) {
    if (!batch_.HasRoomForReads(kMinReadSpace)) {
      Defer(r, slot);
      return;
    }
    const size_t offset = batch_.arena_used;
    const size_t space = std::min(budget, Batch::kArenaSize - offset);
    counters_[kCounterReads]++;
    const ssize_t n = read(r.fd, batch_.arena + offset, space);
    if (n > 0) {
      counters_[kCounterBytesRead] += static_cast<uint64_t>(n);
      Record* last = batch_.count > 0 ? &batch_.records[batch_.count - 1] : nullptr;
      if (last != nullptr && last->type == kRecordData && last->slot == static_cast<int32_t>(slot) &&
          static_cast<size_t>(last->a) + static_cast<size_t>(last->b) == offset) {
        last->b += static_cast<int32_t>(n);
      } else {
        AddRecord(kRecordData, slot, static_cast<int32_t>(offset), static_cast<int32_t>(n));
      }
      batch_.arena_used = offset + static_cast<size_t>(n);
      budget -= static_cast<size_t>(n);
      // Level and one-shot do bounded work and rely on the next report. Edge reads on, but a
      // short read already emptied the socket: data arriving later raises a new edge. Not so
      // an end of stream reported with this edge: read on until it shows.
      const bool hangup = (ready & (kReadyReadHangup | kReadyHangup | kReadyError)) != 0;
      if (r.trigger != Trigger::kEdge || (static_cast<size_t>(n) < space && !hangup)) return;
      if (budget == 0) {
        Defer(r, slot);
        return;
      }
      continue;
    }
    if (n == 0) {
      if (s.half_close) {
        s.read_closed = true;
        AddRecord(kRecordReadClosed, slot);
        SetInterest(r, slot, StreamInterest(r));
      } else {
        CloseOwned(r, slot, kRecordClosed, 0);
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    CloseOwned(r, slot, kRecordClosed, -errno);
    return;
  }
}

void ReactorCore::Defer(Registration& r, uint32_t slot) {
  if (r.trigger != Trigger::kEdge) return;  // the kernel reports it again
  if (r.stream) {
    if (r.stream->queued_ready) return;
    r.stream->queued_ready = true;
  } else if (r.datagram) {
    if (r.datagram->queued_ready) return;
    r.datagram->queued_ready = true;
  } else if (std::find(ready_list_.begin(), ready_list_.end(), slots_.TokenOf(slot)) != ready_list_.end()) {
    return;
  }
  ready_list_.push_back(slots_.TokenOf(slot));
}

int64_t ReactorCore::Write(uint32_t slot, uint32_t generation, const iovec* chunks, size_t count) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -EBADF;
  Stream& s = *r->stream;
  if (s.close_after_flush || s.shut_after_flush || s.write_shut) return -EPIPE;
  size_t total = 0;
  for (size_t i = 0; i < count; i++) total += chunks[i].iov_len;
  if (total == 0) return static_cast<int64_t>(s.pending());
  // Bytes queued outside a batch's coalescing wait for the kernel to take more: it would
  // refuse these too, so they join the queue without a system call.
  const bool backed_up = s.pending() > 0 && !s.queued_flush;
  const bool coalesce = dispatching_ && total < kDirectWriteSize;
  if (s.state == StreamState::kOpen && !backed_up && !coalesce) {
    SendNow(*r, slot, chunks, count);
    return r->live ? static_cast<int64_t>(s.pending()) : 0;
  }
  for (size_t i = 0; i < count; i++) s.out.append(static_cast<const char*>(chunks[i].iov_base), chunks[i].iov_len);
  if (coalesce && !backed_up && s.state == StreamState::kOpen && !s.queued_flush) {
    // Coalesce: everything this connection writes during the batch goes out in one send.
    s.queued_flush = true;
    flush_list_.push_back(slots_.TokenOf(slot));
  }
  return static_cast<int64_t>(s.pending());
}

void ReactorCore::SendNow(Registration& r, uint32_t slot, const iovec* chunks, size_t count) {
  Stream& s = *r.stream;
  const size_t max_iovecs = static_cast<size_t>(MaxIovecs());
  size_t next = 0;    // the first chunk not wholly sent
  size_t offset = 0;  // bytes of chunks[next] already sent
  bool kernel_full = false;
  while (!kernel_full && (s.pending() > 0 || next < count)) {
    iovecs_.clear();
    size_t asked = 0;
    if (s.pending() > 0) {
      iovecs_.push_back({const_cast<char*>(s.out.data() + s.out_head), s.pending()});
      asked += s.pending();
    }
    for (size_t i = next; i < count && iovecs_.size() < max_iovecs; i++) {
      const size_t skip = i == next ? offset : 0;
      if (chunks[i].iov_len == skip) continue;  // empty chunks take no iovec
      iovecs_.push_back({static_cast<char*>(chunks[i].iov_base) + skip, chunks[i].iov_len - skip});
      asked += chunks[i].iov_len - skip;
    }
    if (iovecs_.empty()) break;
    counters_[kCounterWrites]++;
    const ssize_t n = iovecs_.size() == 1 ? SendNoSignal(r.fd, static_cast<const char*>(iovecs_[0].iov_base), iovecs_[0].iov_len)
                                          : SendVectorNoSignal(r.fd, iovecs_.data(), static_cast<int>(iovecs_.size()));
    if (n < 0) {
      if (n != -EAGAIN && n != -EWOULDBLOCK) {
        CloseOwned(r, slot, kRecordClosed, static_cast<int>(n));
        return;
      }
      break;
    }
    counters_[kCounterBytesWritten] += static_cast<uint64_t>(n);
    size_t sent = static_cast<size_t>(n);
    kernel_full = sent < asked;
    const size_t from_queue = std::min(sent, s.pending());
    s.out_head += from_queue;
    sent -= from_queue;
    while (sent > 0) {
      const size_t left = chunks[next].iov_len - offset;
      if (sent < left) {
        offset += sent;
        break;
      }
      sent -= left;
      next++;
      offset = 0;
    }
    while (next < count && chunks[next].iov_len == offset) {  // skip empty chunks
      next++;
      offset = 0;
    }
  }
  if (s.pending() == 0) ResetQueue(s);
  for (size_t i = next; i < count; i++) {
    const size_t skip = i == next ? offset : 0;
    s.out.append(static_cast<const char*>(chunks[i].iov_base) + skip, chunks[i].iov_len - skip);
  }
  SetInterest(r, slot, StreamInterest(r));
}

void ReactorCore::ResetQueue(Stream& s) {
  s.out.clear();
  s.out_head = 0;
  if (s.out.capacity() > kKeepWriteCapacity) std::string().swap(s.out);
}

void ReactorCore::FlushQueued() {
  std::vector<uint64_t> list;
  list.swap(flush_list_);
  for (uint64_t token : list) {
    Registration* r = slots_.Resolve(token);
    if (r == nullptr) continue;
    if (r->datagram) {
      r->datagram->queued_flush = false;
      FlushDatagrams(*r, static_cast<uint32_t>(token));
      continue;
    }
    r->stream->queued_flush = false;
    Flush(*r, static_cast<uint32_t>(token));
  }
}

void ReactorCore::Flush(Registration& r, uint32_t slot) {
  Stream& s = *r.stream;
  while (s.pending() > 0) {
    counters_[kCounterWrites]++;
    const ssize_t n = SendNoSignal(r.fd, s.out.data() + s.out_head, s.pending());
    if (n >= 0) {
      counters_[kCounterBytesWritten] += static_cast<uint64_t>(n);
      s.out_head += static_cast<size_t>(n);
      continue;
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK) break;
    CloseOwned(r, slot, kRecordClosed, static_cast<int>(n));
    return;
  }
  if (s.pending() == 0) {
    ResetQueue(s);
    if (s.close_after_flush) {
      CloseOwned(r, slot, kRecordClosed, 0);
      return;
    }
    if (s.shut_after_flush && !s.write_shut) {
      shutdown(r.fd, SHUT_WR);
      s.write_shut = true;
      AddRecord(kRecordWriteClosed, slot);
    }
    if (s.notify_drain) {
      s.notify_drain = false;
      AddRecord(kRecordDrained, slot);
    }
  } else if (s.out_head >= kKeepWriteCapacity && s.out_head * 2 >= s.out.size()) {
    // Drop what was sent so a long transfer does not hold it until the very end.
    s.out.erase(0, s.out_head);
    s.out_head = 0;
  }
  SetInterest(r, slot, StreamInterest(r));
}

int ReactorCore::CloseStream(uint32_t slot, uint32_t generation, CloseMode mode) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -EBADF;
  Stream& s = *r->stream;
  if (mode == kCloseAbort || mode == kCloseDiscard || s.state == StreamState::kConnecting) {
    CloseOwned(*r, slot, mode == kCloseDiscard ? 0 : kRecordClosed, 0);
    return 0;
  }
  if (mode == kCloseAfterFlush) s.close_after_flush = true;
  if (mode == kShutWriteAfterFlush) s.shut_after_flush = true;
  // Queued bytes go out first: the flush (now, or at the end of the batch) finishes the job.
  if (!s.queued_flush) Flush(*r, slot);
  return 0;
}

int ReactorCore::SetReading(uint32_t slot, uint32_t generation, bool reading) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -EBADF;
  Stream& s = *r->stream;
  if (s.reading == reading) return 0;
  s.reading = reading;
  // Edge mode reported the data while paused (or never will again): look for it ourselves.
  if (reading && r->trigger == Trigger::kEdge && s.state == StreamState::kOpen) Defer(*r, slot);
  return SetInterest(*r, slot, StreamInterest(*r));
}

int ReactorCore::SetHalfClose(uint32_t slot, uint32_t generation, bool enabled) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -EBADF;
  r->stream->half_close = enabled;
  return 0;
}

int ReactorCore::RequestDrain(uint32_t slot, uint32_t generation) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -EBADF;
  Stream& s = *r->stream;
  if (s.pending() == 0 && !s.queued_flush)
    AddRecord(kRecordDrained, slot);
  else
    s.notify_drain = true;
  return 0;
}

int ReactorCore::SocketFd(uint32_t slot, uint32_t generation) {
  Registration* r = slots_.Named(slot, generation);
  if (r == nullptr || r->kind == Kind::kRaw) return -EBADF;
  return r->fd;
}

int64_t ReactorCore::Pending(uint32_t slot, uint32_t generation) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -EBADF;
  return static_cast<int64_t>(r->stream->pending());
}

void ReactorCore::CloseOwned(Registration& r, uint32_t slot, int32_t record, int error) {
  // Leave the poller before close(): a duplicated descriptor would keep the registration
  // (and its reports) alive after close.
  if (r.registered) {
    PollerRemove(r.fd, r.interest);
  }
  Disown(r.fd, slot);
  ::close(r.fd);
  // The record carries the generation being closed, so it is added before the release.
  if (record != 0) AddRecord(record, slot, error);
  slots_.Release(slot, in_batch_, record != 0);
}

}  // namespace ioreactor
