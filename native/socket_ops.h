// Socket system calls in the shapes the stream core needs: non-blocking, close-on-exec,
// SIGPIPE-free, returning -errno instead of setting errno. Platform differences in these calls
// (accept4, MSG_NOSIGNAL) are feature-tested here and nowhere else.
#ifndef IOREACTOR_SOCKET_OPS_H_
#define IOREACTOR_SOCKET_OPS_H_

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

namespace ioreactor {

// Address families as JavaScript names them.
enum Family : int { kFamilyUnix = 1, kFamilyIPv4 = 4, kFamilyIPv6 = 6 };

struct SocketAddress {
  sockaddr_storage storage;
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// A compact address written into the read arena for accepted connections: what JavaScript
// needs to build an address object without another system call.
struct AddressBlob {
  uint16_t family;  // Family
  uint16_t port;
  uint32_t scope_id;
  uint8_t addr[16];  // IPv4 in the first 4 bytes
};
static_assert(sizeof(AddressBlob) == 24, "AddressBlob is read from JavaScript at fixed offsets");

// Fills `out` from a numeric host ("127.0.0.1", "::1", "fe80::1%eth0": an IPv6 zone, an
// interface's name or index, is its scope) and port, or a UNIX path (which may start with a NUL
// byte for a Linux abstract name). Returns 0 or -EINVAL.
int MakeInetAddress(int family, const char* host, int port, SocketAddress* out);
// The interface an IPv6 zone names (its name, "eth0", or its index, "2"): its index, or -EINVAL
// if there is no such interface.
int ScopeOfZone(const char* zone);
int MakeUnixAddress(const char* path, size_t length, SocketAddress* out);

void EncodeAddress(const sockaddr* sa, socklen_t length, AddressBlob* out);

// Returns a listening descriptor or -errno. With reuse_port, SO_REUSEPORT is set before bind so
// several sockets (one per reactor) can share the port and the kernel spreads connections.
int OpenListener(const SocketAddress& address, int backlog, bool reuse_port);
// Starts a non-blocking connect. Returns the descriptor or -errno; the outcome arrives as
// writability (then read SO_ERROR with TakeSocketError).
int StartConnect(const SocketAddress& address, const SocketAddress* bind_address);
// Returns a non-blocking, close-on-exec descriptor or -errno.
int AcceptConnection(int listener, AddressBlob* peer);
// The pending socket error (0 if none), or -errno of getsockopt itself.
int TakeSocketError(int fd);
// send() without SIGPIPE. Returns bytes sent or -errno.
ssize_t SendNoSignal(int fd, const char* data, size_t length);
// sendmsg of `count` iovecs (at most MaxIovecs()), never raising SIGPIPE: bytes sent or -errno.
ssize_t SendVectorNoSignal(int fd, const struct iovec* chunks, int count);
// The most iovecs one sendmsg takes here (IOV_MAX, 1024 on Linux and macOS).
int MaxIovecs();
// O_NONBLOCK and FD_CLOEXEC on any descriptor. Returns 0 or -errno.
int SetNonBlockingCloexec(int fd);
// Duplicates an adopted descriptor, non-blocking and close-on-exec. Returns it or -errno.
int DuplicateNonBlocking(int fd);
int SetBoolOption(int fd, int level, int name, bool value);
// True for accept() failures that concern only the connection being accepted: skip it and
// accept the next one.
bool IsTransientAcceptError(int error);
// 0 if fd is a stream socket that is listening (or, with listening false, is not), else
// -ENOTSOCK, -EINVAL or -errno of getsockopt.
int CheckStreamSocket(int fd, bool listening);
int GetBoolOption(int fd, int level, int name);

}  // namespace ioreactor

#endif  // IOREACTOR_SOCKET_OPS_H_
