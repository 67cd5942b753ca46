// ReactorCore's descriptor passing over UNIX streams (SCM_RIGHTS), as Twisted's
// sendFileDescriptor / fileDescriptorReceived. TCP streams never come here: their reads and
// writes branch once on Stream::passes_descriptors (reads) or on an empty out_fds (writes).
//
// Ownership, so that no path leaks a descriptor:
//  - sending: the core queues its own copy (F_DUPFD_CLOEXEC) and closes it once a sendmsg
//    carried it; copies still queued are closed with the Stream (~Stream).
//  - receiving: each descriptor is the core's (received_fds_) until JavaScript claims it for a
//    protocol; those still unclaimed once their batch is consumed, or when the core closes, are
//    closed here.
#include <errno.h>
#include <unistd.h>

#include <algorithm>

#include "descriptor_passing.h"
#include "reactor_core.h"

namespace ioreactor {

namespace {

// Descriptors queued on one connection and not yet sent: beyond this, sendFileDescriptor
// refuses (-ENOBUFS) rather than let a connection that never writes hold descriptors without
// limit (Twisted pauses the producer past 64).
constexpr size_t kMaxQueuedDescriptors = 1024;
// Received descriptors the core holds for one batch, across every connection: reads from UNIX
// streams wait for the next batch once another message's worth would pass it. The kernel caps
// each message (253 on Linux); this caps what a batch of hostile peers can make us hold at once.
constexpr size_t kMaxDescriptorsPerBatch = 1024;

}  // namespace

int ReactorCore::SendDescriptor(uint32_t slot, uint32_t generation, int fd) {
  Registration* r = NamedStream(slot, generation);
  if (r == nullptr) return -ENOTCONN;
  Stream& s = *r->stream;
  if (!s.passes_descriptors) return -EAFNOSUPPORT;
  if (s.close_after_flush || s.shut_after_flush || s.write_shut) return -EPIPE;
  if (s.out_fds.size() >= kMaxQueuedDescriptors) return -ENOBUFS;
  const int copy = DuplicateForSending(fd);
  if (copy < 0) return copy;
  s.out_fds.push_back({copy, s.out.size()});
  return 0;
}

int ReactorCore::ClaimDescriptor(int fd) {
  const auto it = std::find(received_fds_.begin(), received_fds_.end(), fd);
  if (it == received_fds_.end()) return -ENOENT;
  received_fds_.erase(it);
  return 0;
}

void ReactorCore::CloseUnclaimedDescriptors() {
  for (int fd : received_fds_) ::close(fd);
  received_fds_.clear();
}

bool ReactorCore::HasRoomForDescriptors() const {
  return received_fds_.size() + kMaxDescriptorsPerMessage <= kMaxDescriptorsPerBatch &&
         batch_.count + kMaxDescriptorsPerMessage + 1 < Batch::kRecordCapacity - Batch::kReservedRecords;
}

ssize_t ReactorCore::ReceivePassing(Registration& r, uint32_t slot, uint8_t* buffer, size_t length, bool* truncated) {
  int fds[kMaxDescriptorsPerMessage];
  int count = 0;
  const ssize_t n = ReceiveWithDescriptors(r.fd, buffer, length, fds, &count, truncated);
  // Twisted's order: fileDescriptorReceived before the dataReceived of the bytes they came with.
  for (int i = 0; i < count; i++) {
    received_fds_.push_back(fds[i]);
    AddRecord(kRecordDescriptor, slot, fds[i]);
  }
  return n;
}

ssize_t ReactorCore::SendQueued(Registration& r) {
  Stream& s = *r.stream;
  if (s.out_fds.empty()) return SendNoSignal(r.fd, s.out.data() + s.out_head, s.pending());
  return SendQueuedWithDescriptors(r);
}

ssize_t ReactorCore::SendQueuedWithDescriptors(Registration& r) {
  Stream& s = *r.stream;
  // A descriptor whose byte already left with earlier ones (more were queued at one position than
  // a message carries) rides with the next byte instead.
  const size_t position = std::max(s.out_fds.front().position, s.out_head);
  // No byte written after the first descriptor yet: it waits for one (so do those behind it).
  if (position >= s.out.size()) return SendNoSignal(r.fd, s.out.data() + s.out_head, s.pending());
  // Bytes written before it go first, without it.
  if (position > s.out_head) return SendNoSignal(r.fd, s.out.data() + s.out_head, position - s.out_head);
  // The descriptors queued at this position (a bounded number per message) ride with the bytes
  // up to the next descriptor's position.
  int fds[kMaxDescriptorsPerMessage];
  int count = 0;
  while (static_cast<size_t>(count) < s.out_fds.size() && count < kMaxDescriptorsPerMessage && s.out_fds[count].position <= position) {
    fds[count] = s.out_fds[count].fd;
    count++;
  }
  size_t end = s.out.size();
  if (static_cast<size_t>(count) < s.out_fds.size()) end = std::min(end, s.out_fds[count].position);
  if (end <= position) end = position + 1;  // more than a message's worth at one byte: split
  const ssize_t n = SendWithDescriptors(r.fd, s.out.data() + s.out_head, end - s.out_head, fds, count);
  if (n > 0) {
    // The kernel holds its own references now: our copies are done with.
    for (int i = 0; i < count; i++) ::close(fds[i]);
    s.out_fds.erase(s.out_fds.begin(), s.out_fds.begin() + count);
  }
  return n;
}

}  // namespace ioreactor
