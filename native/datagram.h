// Native state of a datagram socket owned by a reactor (UDP or UNIX datagrams), and the layout
// of the datagrams it reads into the batch arena.
#ifndef IOREACTOR_DATAGRAM_H_
#define IOREACTOR_DATAGRAM_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "socket_ops.h"

namespace ioreactor {

// One datagram in the arena, followed by its sender (a DatagramAddress of address_length
// bytes) and then its bytes; the next header starts at the next multiple of 4. JavaScript reads
// these at fixed offsets (src/datagram/datagram-set.ts).
struct DatagramHeader {
  uint32_t length;            // bytes in the arena
  uint32_t size;              // the datagram's real size when known (Linux), else 0
  uint16_t flags;             // kDatagramTruncated
  uint16_t address_length;    // bytes of DatagramAddress that follow
  uint32_t same_sender_back;  // > 0: the datagram that many before this one (same record) came from the same sender
};
static_assert(sizeof(DatagramHeader) == 16, "DatagramHeader is read from JavaScript at fixed offsets");
constexpr uint16_t kDatagramTruncated = 1;

// A peer address as both sides exchange it: an AddressBlob (24 bytes) for IPv4 and IPv6, or
// for UNIX a 4-byte prefix (family, path length) and the path's bytes (none: unnamed). The
// same bytes name a destination for a write, so a reply to a sender costs no address parsing.
constexpr size_t kUnixAddressPrefix = 4;
constexpr size_t kMaxDatagramAddress = kUnixAddressPrefix + 108;

// Writes sa as a DatagramAddress into out (kMaxDatagramAddress bytes); returns its length.
size_t EncodeDatagramAddress(const sockaddr* sa, socklen_t length, uint8_t* out);
// The reverse: 0 or -EINVAL for bytes that name no address.
int DecodeDatagramAddress(const uint8_t* bytes, size_t length, SocketAddress* out);

// One datagram of a batch JavaScript hands over in one call (datagramWriteBatch): this header,
// the destination (a DatagramAddress of address_length bytes, none for the connected peer),
// then the bytes; the next header starts at the next multiple of 4. JavaScript writes these
// at fixed offsets (src/datagram/datagram-set.ts).
struct StagedDatagramHeader {
  uint32_t slot;
  uint32_t generation;
  uint32_t length;
  uint16_t address_length;
  uint16_t reserved;
};
static_assert(sizeof(StagedDatagramHeader) == 16, "StagedDatagramHeader is written from JavaScript at fixed offsets");

// A datagram written during dispatch, waiting for the end-of-batch sendmmsg.
struct QueuedDatagram {
  size_t offset;  // into Datagram::out
  size_t length;
  SocketAddress to;  // length 0: the connected peer
};

struct Datagram {
  int family = 0;  // Family of the socket
  size_t max_packet = 8192;
  bool connected = false;
  bool queued_flush = false;  // in the end-of-batch flush list
  bool queued_ready = false;  // in the edge-mode ready list
  std::string out;            // the bytes of `queue`, back to back
  std::vector<QueuedDatagram> queue;
};

// ---- system calls, feature-tested here (recvmmsg and sendmmsg where the kernel has them) ----

// A non-blocking, close-on-exec datagram socket, bound to `bind_address` unless null.
// Returns it or -errno.
int OpenDatagramSocket(int domain, const SocketAddress* bind_address);
// 0 if fd is a datagram socket, else -ENOTSOCK, -EINVAL or -errno of getsockopt.
int CheckDatagramSocket(int fd);
// The socket's Family, or -errno.
int DatagramFamily(int fd);

struct ReceiveSlot {
  uint8_t* data;
  size_t capacity;
  size_t length;  // bytes stored (at most capacity)
  size_t size;    // the real size when the platform tells (Linux), else 0
  bool truncated;
  sockaddr_storage from;
  socklen_t from_length;
};
constexpr int kMaxReceiveBatch = 64;
// Whether ReceiveDatagrams tells a truncated datagram's real size (ReceiveSlot::size): recvmmsg
// with MSG_TRUNC does; the one-recvmsg-at-a-time path of other platforms only says it cut.
extern const bool kReceiveTellsRealSize;
// Receives up to `count` (at most kMaxReceiveBatch) datagrams with one recvmmsg where there is
// one. Returns how many (>= 1), or -errno (-EAGAIN: none waiting). An error met after some
// datagrams were received is returned by the next call on the socket, on every path.
int ReceiveDatagrams(int fd, ReceiveSlot* slots, int count);

struct SendSlot {
  const uint8_t* data;
  size_t length;
  const SocketAddress* to;  // null: the connected peer
};
constexpr int kMaxSendBatch = 64;
// Sends up to `count` (at most kMaxSendBatch) datagrams with one sendmmsg where there is one.
// Returns how many the kernel took (>= 1), or -errno of the first.
int SendDatagrams(int fd, const SendSlot* slots, int count);

// Datagram socket options, chosen by the socket's family (IPv4 or IPv6 names).
enum DatagramOption : int { kOptionBroadcast = 1, kOptionMulticastTTL = 2, kOptionMulticastLoop = 3 };
// Sets (value >= 0) then reads an option: its value, or -errno.
int DatagramSocketOption(int fd, int family, DatagramOption option, int value);
// Joins or leaves `group` on `iface` (IPv4: an interface address, '' for any; IPv6: an interface
// name or index, '' for the default). 0 or -errno (-EINVAL for malformed addresses).
int MulticastMembership(int fd, int family, bool join, const char* group, const char* iface);
// Sets the interface multicast leaves by (same forms as MulticastMembership). 0 or -errno.
int SetMulticastInterface(int fd, int family, const char* iface);
// The interface multicast leaves by, written into out (IPv4: an address; IPv6: a name or
// index, '' for the default). 0 or -errno.
int GetMulticastInterface(int fd, int family, std::string* out);

}  // namespace ioreactor

#endif  // IOREACTOR_DATAGRAM_H_
