#include "socket_ops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "platform_paths.h"

namespace ioreactor {

int SetNonBlockingCloexec(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return -errno;
  return 0;
}

namespace {

// Makes a new socket descriptor non-blocking, close-on-exec and SIGPIPE-free; closes it on
// failure. Returns fd or -errno.
int PrepareSocket(int fd) {
  int rc = SetNonBlockingCloexec(fd);
#ifdef SO_NOSIGPIPE
  // Platforms without MSG_NOSIGNAL suppress SIGPIPE per socket instead.
  if (rc == 0) rc = SetBoolOption(fd, SOL_SOCKET, SO_NOSIGPIPE, true);
#endif
  if (rc < 0) {
    ::close(fd);
    return rc;
  }
  return fd;
}

int NewSocket(int domain) {
  int fd = socket(domain, SOCK_STREAM, 0);
  return fd < 0 ? -errno : PrepareSocket(fd);
}

}  // namespace

int ScopeOfZone(const char* zone) {
  if (zone[0] == '\0' || std::strlen(zone) >= IF_NAMESIZE) return -EINVAL;
  char* end = nullptr;
  const unsigned long index = std::strtoul(zone, &end, 10);
  const bool numeric = *end == '\0' && zone[0] >= '0' && zone[0] <= '9';
  if (!numeric) {
    const unsigned scope = if_nametoindex(zone);
    return scope == 0 || scope > INT32_MAX ? -EINVAL : static_cast<int>(scope);
  }
  // An index must name an interface too: the kernel would refuse it later, at the system call.
  char name[IF_NAMESIZE];
  if (index == 0 || index > INT32_MAX || if_indextoname(static_cast<unsigned>(index), name) == nullptr) return -EINVAL;
  return static_cast<int>(index);
}

namespace {

// An IPv6 address with an optional zone, "fe80::1%eth0" or "fe80::1%2": the zone becomes the
// scope. 0, or -EINVAL if either part is malformed or the interface does not exist.
int ParseIPv6(const char* text, sockaddr_in6* out) {
  const char* percent = std::strchr(text, '%');
  if (percent == nullptr) return inet_pton(AF_INET6, text, &out->sin6_addr) == 1 ? 0 : -EINVAL;
  char address[INET6_ADDRSTRLEN];
  const size_t length = static_cast<size_t>(percent - text);
  if (length >= sizeof address) return -EINVAL;
  std::memcpy(address, text, length);
  address[length] = '\0';
  if (inet_pton(AF_INET6, address, &out->sin6_addr) != 1) return -EINVAL;
  const int scope = ScopeOfZone(percent + 1);
  if (scope < 0) return scope;
  out->sin6_scope_id = static_cast<uint32_t>(scope);
  return 0;
}

}  // namespace

int MakeInetAddress(int family, const char* host, int port, SocketAddress* out) {
  std::memset(&out->storage, 0, sizeof out->storage);
  if (port < 0 || port > 65535) return -EINVAL;
  if (family == kFamilyIPv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out->storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) return -EINVAL;
    out->length = sizeof *sin;
    return 0;
  }
  if (family == kFamilyIPv6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    const int rc = ParseIPv6(host, sin6);
    if (rc < 0) return rc;
    out->length = sizeof *sin6;
    return 0;
  }
  return -EINVAL;
}

int MakeUnixAddress(const char* path, size_t length, SocketAddress* out) {
  std::memset(&out->storage, 0, sizeof out->storage);
  auto* sun = reinterpret_cast<sockaddr_un*>(&out->storage);
  if (length == 0 || length >= sizeof sun->sun_path) return -ENAMETOOLONG;
  sun->sun_family = AF_UNIX;
  std::memcpy(sun->sun_path, path, length);
  // An abstract name (leading NUL) is exactly `length` bytes; a path is NUL-terminated.
  out->length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length + (path[0] == '\0' ? 0 : 1));
  return 0;
}

void EncodeAddress(const sockaddr* sa, socklen_t length, AddressBlob* out) {
  std::memset(out, 0, sizeof *out);
  if (length >= static_cast<socklen_t>(sizeof(sockaddr_in)) && sa->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    out->family = kFamilyIPv4;
    out->port = ntohs(sin->sin_port);
    std::memcpy(out->addr, &sin->sin_addr, 4);
  } else if (length >= static_cast<socklen_t>(sizeof(sockaddr_in6)) && sa->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    out->family = kFamilyIPv6;
    out->port = ntohs(sin6->sin6_port);
    out->scope_id = sin6->sin6_scope_id;
    std::memcpy(out->addr, &sin6->sin6_addr, 16);
  } else {
    out->family = kFamilyUnix;
  }
}

int OpenListener(const SocketAddress& address, int backlog, bool reuse_port) {
  const int domain = address.get()->sa_family;
  int fd = NewSocket(domain);
  if (fd < 0) return fd;
  int rc = 0;
  if (domain != AF_UNIX) rc = SetBoolOption(fd, SOL_SOCKET, SO_REUSEADDR, true);
  if (rc == 0 && reuse_port) rc = SetBoolOption(fd, SOL_SOCKET, SO_REUSEPORT, true);
  if (rc == 0 && bind(fd, address.get(), address.length) < 0) rc = -errno;
  if (rc == 0 && listen(fd, backlog) < 0) rc = -errno;
  if (rc < 0) {
    ::close(fd);
    return rc;
  }
  return fd;
}

int StartConnect(const SocketAddress& address, const SocketAddress* bind_address) {
  int fd = NewSocket(address.get()->sa_family);
  if (fd < 0) return fd;
  int rc = 0;
  if (bind_address != nullptr && bind(fd, bind_address->get(), bind_address->length) < 0) rc = -errno;
  if (rc == 0) {
    int r;
    do {
      r = connect(fd, address.get(), address.length);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno != EINPROGRESS) rc = -errno;
  }
  if (rc < 0) {
    ::close(fd);
    return rc;
  }
  return fd;
}

int AcceptConnection(int listener, AddressBlob* peer) {
  sockaddr_storage ss;
  socklen_t length = sizeof ss;
#ifdef IOREACTOR_HAVE_ACCEPT4
  int fd = accept4(listener, reinterpret_cast<sockaddr*>(&ss), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return -errno;
#else
  int fd = accept(listener, reinterpret_cast<sockaddr*>(&ss), &length);
  if (fd < 0) return -errno;
  fd = PrepareSocket(fd);
  if (fd < 0) return fd;
#endif
  EncodeAddress(reinterpret_cast<sockaddr*>(&ss), length, peer);
  return fd;
}

int TakeSocketError(int fd) {
  int err = 0;
  socklen_t length = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) return -errno;
  return err;
}

ssize_t SendNoSignal(int fd, const char* data, size_t length) {
#ifdef MSG_NOSIGNAL
  const int flags = MSG_NOSIGNAL;
#else
  const int flags = 0;  // SO_NOSIGPIPE was set on the socket
#endif
  ssize_t n;
  do {
    n = send(fd, data, length, flags);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

ssize_t SendVectorNoSignal(int fd, const struct iovec* chunks, int count) {
#ifdef MSG_NOSIGNAL
  const int flags = MSG_NOSIGNAL;
#else
  const int flags = 0;  // SO_NOSIGPIPE was set on the socket
#endif
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(chunks);
  message.msg_iovlen = count;
  ssize_t n;
  do {
    n = sendmsg(fd, &message, flags);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

int MaxIovecs() {
#ifdef IOV_MAX
  return IOV_MAX;
#else
  return 16;            // POSIX's minimum (_XOPEN_IOV_MAX)
#endif
}

int DuplicateNonBlocking(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return -errno;
  int rc = SetNonBlockingCloexec(copy);
  if (rc < 0) {
    ::close(copy);
    return rc;
  }
  return copy;
}

int SetBoolOption(int fd, int level, int name, bool value) {
  int v = value ? 1 : 0;
  return setsockopt(fd, level, name, &v, sizeof v) < 0 ? -errno : 0;
}

int GetBoolOption(int fd, int level, int name) {
  int v = 0;
  socklen_t length = sizeof v;
  if (getsockopt(fd, level, name, &v, &length) < 0) return -errno;
  return v != 0 ? 1 : 0;
}

bool IsTransientAcceptError(int error) {
  switch (error) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
#ifdef __linux__
    // accept(2) on Linux passes on the new connection's pending network errors; the manual
    // asks callers to treat these like EAGAIN and retry.
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM:  // a firewall rule refused this connection
#endif
      return true;
    default:
      return false;
  }
}

int CheckStreamSocket(int fd, bool listening) {
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) < 0) return -errno;
  if (type != SOCK_STREAM) return -EINVAL;
  const int accepting = GetBoolOption(fd, SOL_SOCKET, SO_ACCEPTCONN);
  if (accepting < 0) return accepting;
  return (accepting == 1) == listening ? 0 : -EINVAL;
}

}  // namespace ioreactor
