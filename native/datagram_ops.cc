// Datagram socket system calls: recvmmsg and sendmmsg on Linux, one recvmsg / sendmsg at a
// time elsewhere (platform_paths.h chooses), and the socket options of broadcast and multicast. See datagram.h.
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "datagram.h"
#include "platform_paths.h"

namespace ioreactor {

size_t EncodeDatagramAddress(const sockaddr* sa, socklen_t length, uint8_t* out) {
  if (length > 0 && (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)) {
    AddressBlob blob;
    EncodeAddress(sa, length, &blob);
    std::memcpy(out, &blob, sizeof blob);
    return sizeof blob;
  }
  // UNIX: the path (an abstract name keeps its leading NUL), none for an unnamed sender.
  const auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
  const size_t header = offsetof(sockaddr_un, sun_path);
  size_t n = length > header ? length - header : 0;
  if (n > sizeof sun->sun_path) n = sizeof sun->sun_path;
  if (n > 0 && sun->sun_path[0] != '\0') n = strnlen(sun->sun_path, n);
  const uint16_t family = kFamilyUnix;
  const uint16_t path_length = static_cast<uint16_t>(n);
  std::memcpy(out, &family, 2);
  std::memcpy(out + 2, &path_length, 2);
  if (n > 0) std::memcpy(out + kUnixAddressPrefix, sun->sun_path, n);
  return kUnixAddressPrefix + n;
}

int DecodeDatagramAddress(const uint8_t* bytes, size_t length, SocketAddress* out) {
  std::memset(&out->storage, 0, sizeof out->storage);
  if (length < kUnixAddressPrefix) return -EINVAL;
  uint16_t family;
  std::memcpy(&family, bytes, 2);
  if (family == kFamilyUnix) {
    uint16_t path_length;
    std::memcpy(&path_length, bytes + 2, 2);
    if (path_length == 0 || kUnixAddressPrefix + path_length != length) return -EINVAL;
    return MakeUnixAddress(reinterpret_cast<const char*>(bytes + kUnixAddressPrefix), path_length, out);
  }
  if (length != sizeof(AddressBlob)) return -EINVAL;
  AddressBlob blob;
  std::memcpy(&blob, bytes, sizeof blob);
  if (blob.family == kFamilyIPv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out->storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(blob.port);
    std::memcpy(&sin->sin_addr, blob.addr, 4);
    out->length = sizeof *sin;
    return 0;
  }
  if (blob.family == kFamilyIPv6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(blob.port);
    sin6->sin6_scope_id = blob.scope_id;
    std::memcpy(&sin6->sin6_addr, blob.addr, 16);
    out->length = sizeof *sin6;
    return 0;
  }
  return -EINVAL;
}

int OpenDatagramSocket(int domain, const SocketAddress* bind_address) {
  const int fd = socket(domain, SOCK_DGRAM, 0);
  if (fd < 0) return -errno;
  int rc = SetNonBlockingCloexec(fd);
#ifdef SO_NOSIGPIPE
  // Platforms without MSG_NOSIGNAL suppress SIGPIPE per socket (a UNIX peer gone, say).
  if (rc == 0) rc = SetBoolOption(fd, SOL_SOCKET, SO_NOSIGPIPE, true);
#endif
  if (rc == 0 && bind_address != nullptr && bind(fd, bind_address->get(), bind_address->length) < 0) rc = -errno;
  if (rc < 0) {
    ::close(fd);
    return rc;
  }
  return fd;
}

int CheckDatagramSocket(int fd) {
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) < 0) return -errno;
  return type == SOCK_DGRAM ? 0 : -EINVAL;
}

int DatagramFamily(int fd) {
  sockaddr_storage ss;
  socklen_t length = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &length) < 0) return -errno;
  switch (ss.ss_family) {
    case AF_INET:
      return kFamilyIPv4;
    case AF_INET6:
      return kFamilyIPv6;
    case AF_UNIX:
      return kFamilyUnix;
    default:
      return -EAFNOSUPPORT;
  }
}

#if defined(IOREACTOR_HAVE_MMSG)
const bool kReceiveTellsRealSize = true;
#else
const bool kReceiveTellsRealSize = false;

namespace {

// An error one recvmsg returned after others had brought datagrams: those are returned first,
// and the error by the next call on the same socket, as recvmmsg does (the kernel keeps it for
// the next call there). The socket's device and inode tell it from a socket that has since
// been given the same descriptor number. Per thread, as a reactor runs on one; a handful at a
// time is plenty, each being taken by its socket's next read (beyond that, one is dropped).
struct HeldReceiveError {
  int fd;
  dev_t device;
  ino_t inode;
  int error;
};
constexpr int kHeldReceiveErrors = 8;
thread_local HeldReceiveError held_receive_errors[kHeldReceiveErrors];
thread_local int held_receive_error_count = 0;

void HoldReceiveError(int fd, int error) {
  struct stat st;
  if (held_receive_error_count == kHeldReceiveErrors || fstat(fd, &st) < 0) return;
  held_receive_errors[held_receive_error_count++] = {fd, st.st_dev, st.st_ino, error};
}

// The error held for `fd`, taken (0: none). The descriptor is looked at only when one is held.
int TakeHeldReceiveError(int fd) {
  for (int i = 0; i < held_receive_error_count; i++) {
    const HeldReceiveError held = held_receive_errors[i];
    if (held.fd != fd) continue;
    held_receive_errors[i] = held_receive_errors[--held_receive_error_count];
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == held.device && st.st_ino == held.inode ? held.error : 0;
  }
  return 0;
}

}  // namespace
#endif

int ReceiveDatagrams(int fd, ReceiveSlot* slots, int count) {
  iovec iov[kMaxReceiveBatch];
#if defined(IOREACTOR_HAVE_MMSG)
  mmsghdr messages[kMaxReceiveBatch];
  std::memset(messages, 0, sizeof(mmsghdr) * static_cast<size_t>(count));
  for (int i = 0; i < count; i++) {
    iov[i] = {slots[i].data, slots[i].capacity};
    msghdr& m = messages[i].msg_hdr;
    m.msg_iov = &iov[i];
    m.msg_iovlen = 1;
    m.msg_name = &slots[i].from;
    m.msg_namelen = sizeof slots[i].from;
  }
  int n;
  // MSG_TRUNC: each length is the datagram's real size, even when it did not fit.
  do {
    n = recvmmsg(fd, messages, static_cast<unsigned>(count), MSG_DONTWAIT | MSG_TRUNC, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  for (int i = 0; i < n; i++) {
    const size_t real = messages[i].msg_len;
    slots[i].truncated = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 || real > slots[i].capacity;
    slots[i].length = real < slots[i].capacity ? real : slots[i].capacity;
    slots[i].size = real;
    slots[i].from_length = messages[i].msg_hdr.msg_namelen;
  }
  return n;
#else
  if (held_receive_error_count > 0) {
    const int held = TakeHeldReceiveError(fd);
    if (held != 0) return -held;
  }
  int received = 0;
  while (received < count) {
    ReceiveSlot& slot = slots[received];
    iov[received] = {slot.data, slot.capacity};
    msghdr m{};
    m.msg_iov = &iov[received];
    m.msg_iovlen = 1;
    m.msg_name = &slot.from;
    m.msg_namelen = sizeof slot.from;
    ssize_t n;
    do {
      n = recvmsg(fd, &m, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (received == 0) return -errno;
      if (errno != EAGAIN && errno != EWOULDBLOCK) HoldReceiveError(fd, errno);
      return received;
    }
    slot.length = static_cast<size_t>(n);
    slot.size = 0;  // unknown: this recvmsg reports only that it cut
    slot.truncated = (m.msg_flags & MSG_TRUNC) != 0;
    slot.from_length = m.msg_namelen;
    received++;
  }
  return received;
#endif
}

int SendDatagrams(int fd, const SendSlot* slots, int count) {
  iovec iov[kMaxSendBatch];
#if defined(IOREACTOR_HAVE_MMSG)
  mmsghdr messages[kMaxSendBatch];
  std::memset(messages, 0, sizeof(mmsghdr) * static_cast<size_t>(count));
  for (int i = 0; i < count; i++) {
    iov[i] = {const_cast<uint8_t*>(slots[i].data), slots[i].length};
    msghdr& m = messages[i].msg_hdr;
    m.msg_iov = &iov[i];
    m.msg_iovlen = 1;
    if (slots[i].to != nullptr) {
      m.msg_name = const_cast<sockaddr*>(slots[i].to->get());
      m.msg_namelen = slots[i].to->length;
    }
  }
  int n;
  do {
    n = sendmmsg(fd, messages, static_cast<unsigned>(count), MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
#else
  int sent = 0;
  while (sent < count) {
    const SendSlot& slot = slots[sent];
    iov[sent] = {const_cast<uint8_t*>(slot.data), slot.length};
    msghdr m{};
    m.msg_iov = &iov[sent];
    m.msg_iovlen = 1;
    if (slot.to != nullptr) {
      m.msg_name = const_cast<sockaddr*>(slot.to->get());
      m.msg_namelen = slot.to->length;
    }
    ssize_t n;
    do {
      n = sendmsg(fd, &m, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sent > 0 ? sent : -errno;
    sent++;
  }
  return sent;
#endif
}

namespace {

// IPv4's TTL and loop options take a byte on BSD and macOS (Linux takes either).
#if defined(IOREACTOR_MULTICAST_OPTIONS_TAKE_INT)
using MulticastByte = int;
#else
using MulticastByte = unsigned char;
#endif

int IntOption(int fd, int level, int name, int value) {
  if (value >= 0 && setsockopt(fd, level, name, &value, sizeof value) < 0) return -errno;
  int current = 0;
  socklen_t length = sizeof current;
  if (getsockopt(fd, level, name, &current, &length) < 0) return -errno;
  return current;
}

int ByteOption(int fd, int level, int name, int value) {
  if (value >= 0) {
    const MulticastByte v = static_cast<MulticastByte>(value);
    if (setsockopt(fd, level, name, &v, sizeof v) < 0) return -errno;
  }
  MulticastByte current = 0;
  socklen_t length = sizeof current;
  if (getsockopt(fd, level, name, &current, &length) < 0) return -errno;
  return static_cast<int>(current);
}

// An IPv6 interface: a name ("lo"), a decimal index, or '' for the system's choice (0).
int InterfaceIndex(const char* iface, unsigned* out) {
  if (iface[0] == '\0') {
    *out = 0;
    return 0;
  }
  char* end = nullptr;
  const unsigned long index = std::strtoul(iface, &end, 10);
  if (end != iface && *end == '\0') {
    *out = static_cast<unsigned>(index);
    return 0;
  }
  *out = if_nametoindex(iface);
  return *out == 0 ? -ENODEV : 0;
}

int Ipv4Interface(const char* iface, in_addr* out) {
  if (iface[0] == '\0') {
    out->s_addr = htonl(INADDR_ANY);
    return 0;
  }
  return inet_pton(AF_INET, iface, out) == 1 ? 0 : -EINVAL;
}

}  // namespace

int DatagramSocketOption(int fd, int family, DatagramOption option, int value) {
  switch (option) {
    case kOptionBroadcast:
      return IntOption(fd, SOL_SOCKET, SO_BROADCAST, value < 0 ? -1 : (value != 0 ? 1 : 0));
    case kOptionMulticastTTL:
      if (family == kFamilyIPv6) return IntOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, value);
      if (family == kFamilyIPv4) return ByteOption(fd, IPPROTO_IP, IP_MULTICAST_TTL, value);
      return -EOPNOTSUPP;
    case kOptionMulticastLoop:
      if (family == kFamilyIPv6) return IntOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, value < 0 ? -1 : (value != 0 ? 1 : 0));
      if (family == kFamilyIPv4) return ByteOption(fd, IPPROTO_IP, IP_MULTICAST_LOOP, value < 0 ? -1 : (value != 0 ? 1 : 0));
      return -EOPNOTSUPP;
  }
  return -EINVAL;
}

int MulticastMembership(int fd, int family, bool join, const char* group, const char* iface) {
  if (family == kFamilyIPv4) {
    ip_mreq request{};
    if (inet_pton(AF_INET, group, &request.imr_multiaddr) != 1) return -EINVAL;
    const int rc = Ipv4Interface(iface, &request.imr_interface);
    if (rc < 0) return rc;
    if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request, sizeof request) < 0) return -errno;
    return 0;
  }
  if (family == kFamilyIPv6) {
    ipv6_mreq request{};
    if (inet_pton(AF_INET6, group, &request.ipv6mr_multiaddr) != 1) return -EINVAL;
    const int rc = InterfaceIndex(iface, &request.ipv6mr_interface);
    if (rc < 0) return rc;
    if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &request, sizeof request) < 0) return -errno;
    return 0;
  }
  return -EOPNOTSUPP;
}

int SetMulticastInterface(int fd, int family, const char* iface) {
  if (family == kFamilyIPv4) {
    in_addr address;
    const int rc = Ipv4Interface(iface, &address);
    if (rc < 0) return rc;
    return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &address, sizeof address) < 0 ? -errno : 0;
  }
  if (family == kFamilyIPv6) {
    unsigned index = 0;
    const int rc = InterfaceIndex(iface, &index);
    if (rc < 0) return rc;
    return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) < 0 ? -errno : 0;
  }
  return -EOPNOTSUPP;
}

int GetMulticastInterface(int fd, int family, std::string* out) {
  if (family == kFamilyIPv4) {
    in_addr address{};
    socklen_t length = sizeof address;
    if (getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &address, &length) < 0) return -errno;
    char text[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &address, text, sizeof text);
    out->assign(text);
    return 0;
  }
  if (family == kFamilyIPv6) {
    unsigned index = 0;
    socklen_t length = sizeof index;
    if (getsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, &length) < 0) return -errno;
    char name[IF_NAMESIZE] = {0};
    if (index == 0)
      out->clear();
    else if (if_indextoname(index, name) != nullptr)
      out->assign(name);
    else
      out->assign(std::to_string(index));
    return 0;
  }
  return -EOPNOTSUPP;
}

}  // namespace ioreactor
