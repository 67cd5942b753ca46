// ReactorCore's datagram sockets (UDP and UNIX datagrams): batched reads into the arena with
// each datagram's sender and size, and writes sent at once or, during dispatch, with one
// sendmmsg per socket at the end of the batch: straight from JavaScript's staging buffer for
// those protocols wrote while datagrams were delivered, else from the socket's queue. Declared
// in reactor_core.h.
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "reactor_core.h"

namespace ioreactor {

namespace {

// Datagrams one socket may read per batch before others get their turn (edge mode queues it
// in the ready list for the rest; level and one-shot are reported again).
constexpr int kDatagramReadBudget = 256;
// Room each datagram is given in the arena while it is received: its header, the largest
// sender address, and the socket's maximum packet size. Datagrams are packed tighter after.
constexpr size_t kReceiveHeaderRoom = sizeof(DatagramHeader) + ((kMaxDatagramAddress + 7) & ~static_cast<size_t>(7));
// Datagrams queued during one dispatch before they are sent without waiting for its end,
// so a protocol writing in a loop does not grow the queue without bound.
constexpr size_t kMaxQueuedDatagrams = 1024;
constexpr size_t kMaxQueuedBytes = 4 << 20;

size_t Align4(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

int DomainOf(int family) { return family == kFamilyIPv4 ? AF_INET : family == kFamilyIPv6 ? AF_INET6 : family == kFamilyUnix ? AF_UNIX : -1; }

// The senders of one recvmmsg call, so each datagram can name an earlier one from the same
// sender: JavaScript then reuses that datagram's Address and looks nothing up. A small open
// hash table: a call holds at most kMaxReceiveBatch datagrams, so it never fills.
class SendersOfCall {
 public:
  SendersOfCall() { std::memset(table_, 0xff, sizeof table_); }

  // How many datagrams back an earlier one of this call came from `address`, or 0 (none); the
  // sender is remembered as datagram `index`'s.
  uint32_t SameSenderBack(int index, const uint8_t* address, size_t length) {
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < length; i++) hash = (hash ^ address[i]) * 16777619u;
    for (uint32_t probe = hash;; probe++) {
      int8_t& at = table_[probe & (kTableSize - 1)];
      if (at < 0) {
        Sender& s = senders_[count_];
        s.index = index;
        s.length = length;
        std::memcpy(s.address, address, length);
        at = static_cast<int8_t>(count_++);
        return 0;
      }
      const Sender& s = senders_[at];
      if (s.length == length && std::memcmp(s.address, address, length) == 0) return static_cast<uint32_t>(index - s.index);
    }
  }

 private:
  static constexpr size_t kTableSize = 2 * kMaxReceiveBatch;
  static_assert(kMaxReceiveBatch <= 127, "indices into senders_ are int8_t");
  struct Sender {
    int index;  // of the first datagram from this sender in the call
    size_t length;
    uint8_t address[kMaxDatagramAddress];
  };
  int8_t table_[kTableSize];
  Sender senders_[kMaxReceiveBatch];
  int count_ = 0;
};

bool KernelFull(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS; }

}  // namespace

Registration* ReactorCore::NamedDatagram(uint32_t slot, uint32_t generation) {
  Registration* r = slots_.Named(slot, generation);
  return r != nullptr && r->kind == Kind::kDatagram ? r : nullptr;
}

int64_t ReactorCore::OpenDatagram(int family, const SocketAddress* bind_address, size_t max_packet, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  const int domain = DomainOf(family);
  if (domain < 0) return -EAFNOSUPPORT;
  const int fd = OpenDatagramSocket(domain, bind_address);
  if (fd < 0) return fd;
  const int64_t name = AddDatagram(fd, family, max_packet, trigger);
  if (name < 0) ::close(fd);
  return name;
}

int64_t ReactorCore::AdoptDatagram(int fd, size_t max_packet, Trigger trigger) {
  if (!poller_->Supports(trigger)) return -EINVAL;
  const int rc = CheckDatagramSocket(fd);
  if (rc < 0) return rc;
  const int family = DatagramFamily(fd);
  if (family < 0) return family;
  return AddDatagram(fd, family, max_packet, trigger);
}

int64_t ReactorCore::AddDatagram(int fd, int family, size_t max_packet, Trigger trigger) {
  if (max_packet == 0 || max_packet > Batch::kArenaSize / 4) return -EINVAL;
  const int64_t name = AddRegistration(fd, trigger, Kind::kDatagram, kInterestRead, StreamState::kOpen);
  if (name < 0) return name;
  Datagram& d = *slots_.Get(static_cast<uint32_t>(name >> 32))->datagram;
  d.family = family;
  d.max_packet = max_packet;
  // An adopted socket may be connected already: writes without an address go to its peer.
  sockaddr_storage peer;
  socklen_t length = sizeof peer;
  d.connected = getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0;
  return name;
}

int ReactorCore::ConnectDatagram(uint32_t slot, uint32_t generation, const SocketAddress& address) {
  Registration* r = NamedDatagram(slot, generation);
  if (r == nullptr) return -EBADF;
  int rc;
  do {
    rc = connect(r->fd, address.get(), address.length);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return -errno;
  r->datagram->connected = true;
  return 0;
}

int ReactorCore::CloseDatagram(uint32_t slot, uint32_t generation) {
  Registration* r = NamedDatagram(slot, generation);
  if (r == nullptr) return -EBADF;
  // What any port wrote earlier in this dispatch goes out before this one closes, as it would
  // have outside dispatch: a datagram written to a UNIX port that stops later in the same batch
  // reaches it (and is discarded with it) instead of failing for a path that is gone.
  if (dispatching_) FlushAllQueuedDatagrams();
  CloseOwned(*r, slot, 0, 0);
  return 0;
}

void ReactorCore::ServeDatagram(Registration& r, uint32_t slot) {
  const size_t stride = Align4(kReceiveHeaderRoom + r.datagram->max_packet);
  int budget = kDatagramReadBudget;
  while (budget > 0) {
    const size_t base = Align4(batch_.arena_used);
    if (!batch_.HasRoomForReads(base - batch_.arena_used + stride)) {
      Defer(r, slot);
      return;
    }
    const int wanted =
        static_cast<int>(std::min<size_t>({static_cast<size_t>(kMaxReceiveBatch), static_cast<size_t>(budget), (Batch::kArenaSize - base) / stride}));
    for (int i = 0; i < wanted; i++) {
      receive_slots_[i].data = batch_.arena + base + static_cast<size_t>(i) * stride + kReceiveHeaderRoom;
      receive_slots_[i].capacity = r.datagram->max_packet;
    }
    counters_[kCounterReads]++;
    const int n = ReceiveDatagrams(r.fd, receive_slots_, wanted);
    if (n < 0) {
      if (KernelFull(-n)) return;
      // A connected socket hears of its peer's ICMP errors here (ECONNREFUSED): reported, and
      // the socket reads on, as the error is consumed by being reported.
      AddRecord(kRecordDatagramError, slot, n);
      if (n == -ECONNREFUSED || n == -EHOSTUNREACH || n == -ENETUNREACH) continue;
      return;
    }
    // Pack the datagrams: header, sender, bytes, each moved down over the room left unused
    // (a destination never passes its source, so memmove is safe datagram by datagram).
    size_t position = base;
    SendersOfCall senders;
    for (int i = 0; i < n; i++) {
      const ReceiveSlot& got = receive_slots_[i];
      uint8_t* header_at = batch_.arena + position;
      uint8_t address[kMaxDatagramAddress];
      const size_t address_length = EncodeDatagramAddress(reinterpret_cast<const sockaddr*>(&got.from), got.from_length, address);
      uint8_t* data_at = header_at + sizeof(DatagramHeader) + address_length;
      std::memmove(data_at, got.data, got.length);
      const uint32_t same_sender_back = senders.SameSenderBack(i, address, address_length);
      DatagramHeader header{static_cast<uint32_t>(got.length), static_cast<uint32_t>(got.size), static_cast<uint16_t>(got.truncated ? kDatagramTruncated : 0),
                            static_cast<uint16_t>(address_length), same_sender_back};
      std::memcpy(header_at, &header, sizeof header);
      std::memcpy(header_at + sizeof header, address, address_length);
      position = Align4(position + sizeof header + address_length + got.length);
      counters_[kCounterBytesRead] += got.length;
      if (got.truncated) counters_[kCounterDatagramsTruncated]++;
    }
    counters_[kCounterDatagramsRead] += static_cast<uint64_t>(n);
    Record* last = batch_.count > 0 ? &batch_.records[batch_.count - 1] : nullptr;
    if (last != nullptr && last->type == kRecordDatagrams && last->slot == static_cast<int32_t>(slot) &&
        static_cast<size_t>(last->a) + static_cast<size_t>(last->b) == base) {
      last->b += static_cast<int32_t>(position - base);
      last->c += n;
    } else {
      AddRecord(kRecordDatagrams, slot, static_cast<int32_t>(base), static_cast<int32_t>(position - base), n);
    }
    batch_.arena_used = position;
    budget -= n;
    // Fewer than asked: the socket is empty. Every datagram that arrives later raises a new
    // report, in edge mode too.
    if (n < wanted) return;
  }
  Defer(r, slot);
}

int ReactorCore::WriteDatagram(uint32_t slot, uint32_t generation, const uint8_t* data, size_t length, const SocketAddress* to) {
  Registration* r = NamedDatagram(slot, generation);
  if (r == nullptr) return -EBADF;
  Datagram& d = *r->datagram;
  if (to == nullptr && !d.connected) return -EDESTADDRREQ;
  if (dispatching_) {
    if (d.queue.size() >= kMaxQueuedDatagrams || d.out.size() + length > kMaxQueuedBytes) FlushDatagrams(*r, slot);
    QueuedDatagram queued{d.out.size(), length, {}};
    if (to != nullptr) queued.to = *to;
    d.out.append(reinterpret_cast<const char*>(data), length);
    d.queue.push_back(queued);
    if (!d.queued_flush) {
      d.queued_flush = true;
      flush_list_.push_back(slots_.TokenOf(slot));
    }
    return 0;
  }
  const SendSlot one{data, length, to};
  counters_[kCounterWrites]++;
  const int n = SendDatagrams(r->fd, &one, 1);
  if (n == 1) {
    counters_[kCounterDatagramsWritten]++;
    counters_[kCounterBytesWritten] += length;
    return 0;
  }
  if (KernelFull(-n)) {
    counters_[kCounterDatagramsDropped]++;
    return 0;
  }
  return n;
}

void ReactorCore::FlushAllQueuedDatagrams() {
  // The tokens stay listed: FlushQueued finds these queues empty at the end of the batch.
  for (uint64_t token : flush_list_) {
    Registration* r = slots_.Resolve(token);
    if (r != nullptr && r->datagram && !r->datagram->queue.empty()) FlushDatagrams(*r, static_cast<uint32_t>(token));
  }
}

void ReactorCore::FlushDatagrams(Registration& r, uint32_t slot) {
  Datagram& d = *r.datagram;
  for (size_t next = 0; next < d.queue.size();) {
    const int count = static_cast<int>(std::min(d.queue.size() - next, static_cast<size_t>(kMaxSendBatch)));
    for (int i = 0; i < count; i++) {
      const QueuedDatagram& q = d.queue[next + static_cast<size_t>(i)];
      send_slots_[i] = {reinterpret_cast<const uint8_t*>(d.out.data()) + q.offset, q.length, q.to.length > 0 ? &q.to : nullptr};
    }
    next += static_cast<size_t>(count);
    if (!SendDatagramSlots(r, slot, count)) {
      // The kernel takes no more now: the rest of the queue is dropped too.
      counters_[kCounterDatagramsDropped] += d.queue.size() - next;
      break;
    }
  }
  d.queue.clear();
  d.out.clear();
  if (d.out.capacity() > kMaxQueuedBytes) std::string().swap(d.out);
  if (d.queue.capacity() > kMaxQueuedDatagrams) std::vector<QueuedDatagram>().swap(d.queue);
}

bool ReactorCore::SendDatagramSlots(Registration& r, uint32_t slot, int count) {
  int next = 0;
  while (next < count) {
    counters_[kCounterWrites]++;
    const int n = SendDatagrams(r.fd, send_slots_ + next, count - next);
    if (n > 0) {
      for (int i = next; i < next + n; i++) counters_[kCounterBytesWritten] += send_slots_[i].length;
      counters_[kCounterDatagramsWritten] += static_cast<uint64_t>(n);
      next += n;
      continue;
    }
    if (KernelFull(-n)) {
      // The kernel takes no more now: what is left is dropped, as the network would.
      counters_[kCounterDatagramsDropped] += static_cast<uint64_t>(count - next);
      return false;
    }
    // This datagram is refused (too large, a refused peer...): report it and send the rest.
    counters_[kCounterDatagramsDropped]++;
    AddRecord(kRecordDatagramError, slot, n);
    next++;
  }
  return true;
}

int ReactorCore::WriteStagedDatagrams(const uint8_t* staged, size_t length) {
  int sent = 0;
  int result = 0;
  // The run being gathered: datagrams for one port, sent together from where they are staged.
  Registration* port = nullptr;
  uint32_t port_slot = 0;
  uint32_t port_generation = 0;
  int count = 0;
  const auto send_run = [&] {
    if (count == 0) return;
    const uint64_t written = counters_[kCounterDatagramsWritten];
    SendDatagramSlots(*port, port_slot, count);
    sent += static_cast<int>(counters_[kCounterDatagramsWritten] - written);
    count = 0;
  };
  size_t at = 0;
  while (at + sizeof(StagedDatagramHeader) <= length) {
    StagedDatagramHeader header;
    std::memcpy(&header, staged + at, sizeof header);
    const size_t address_at = at + sizeof header;
    const size_t data_at = address_at + header.address_length;
    if (data_at + header.length > length) {
      result = -EINVAL;
      break;
    }
    at = (data_at + header.length + 3) & ~static_cast<size_t>(3);
    if (count > 0 && (header.slot != port_slot || header.generation != port_generation || count == kMaxSendBatch)) send_run();
    if (count == 0) {
      port = NamedDatagram(header.slot, header.generation);
      port_slot = header.slot;
      port_generation = header.generation;
      // What this port queued earlier in the dispatch was written first, so it goes first.
      if (port != nullptr && !port->datagram->queue.empty()) FlushDatagrams(*port, port_slot);
    }
    // A stale name (the port closed since) costs only its own datagrams, as datagramWrite's would.
    if (port == nullptr) continue;
    const bool addressed = header.address_length > 0;
    // Each was checked in JavaScript when written (open port, a valid address or a connected
    // one): a failure here is that check's bug, and costs only its own datagram.
    if (addressed && DecodeDatagramAddress(staged + address_at, header.address_length, &send_addresses_[count]) < 0) {
      result = -EINVAL;
      continue;
    }
    if (!addressed && !port->datagram->connected) continue;
    send_slots_[count] = {staged + data_at, header.length, addressed ? &send_addresses_[count] : nullptr};
    count++;
  }
  send_run();
  return result < 0 ? result : sent;
}

}  // namespace ioreactor
