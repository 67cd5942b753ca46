#include "descriptor_passing.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>

#include "platform_paths.h"

namespace ioreactor {

namespace {

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;     // macOS: SO_NOSIGPIPE is set on every socket the core owns
#endif

#ifdef IOREACTOR_HAVE_MSG_CMSG_CLOEXEC
constexpr int kReceiveFlags = MSG_CMSG_CLOEXEC;
#else
constexpr int kReceiveFlags = 0;  // set close-on-exec ourselves, right after they arrive
#endif

// Control buffers aligned for cmsghdr, as CMSG_FIRSTHDR expects.
union ControlBuffer {
  cmsghdr align;
  char bytes[CMSG_SPACE(sizeof(int) * kMaxDescriptorsPerMessage)];
};

}  // namespace

ssize_t ReceiveWithDescriptors(int fd, void* buffer, size_t length, int* fds, int* fd_count, bool* truncated) {
  ControlBuffer control;
  iovec chunk{buffer, length};
  msghdr message;
  std::memset(&message, 0, sizeof message);
  message.msg_iov = &chunk;
  message.msg_iovlen = 1;
  message.msg_control = control.bytes;
  message.msg_controllen = sizeof control.bytes;
  *fd_count = 0;
  *truncated = false;
  const ssize_t n = recvmsg(fd, &message, kReceiveFlags);
  if (n < 0) return n;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    const size_t bytes = header->cmsg_len - CMSG_LEN(0);
    const int* arrived = reinterpret_cast<const int*>(CMSG_DATA(header));
    for (size_t i = 0; i < bytes / sizeof(int) && *fd_count < kMaxDescriptorsPerMessage; i++) {
      int received;
      std::memcpy(&received, arrived + i, sizeof received);  // CMSG_DATA need not be int-aligned
      if (kReceiveFlags == 0) fcntl(received, F_SETFD, FD_CLOEXEC);
      fds[(*fd_count)++] = received;
    }
  }
  if (message.msg_flags & MSG_CTRUNC) {
    for (int i = 0; i < *fd_count; i++) ::close(fds[i]);
    *fd_count = 0;
    *truncated = true;
  }
  return n;
}

ssize_t SendWithDescriptors(int fd, const char* data, size_t length, const int* fds, int count) {
  ControlBuffer control;
  std::memset(&control, 0, sizeof control);
  iovec chunk{const_cast<char*>(data), length};
  msghdr message;
  std::memset(&message, 0, sizeof message);
  message.msg_iov = &chunk;
  message.msg_iovlen = 1;
  message.msg_control = control.bytes;
  message.msg_controllen = CMSG_SPACE(sizeof(int) * static_cast<size_t>(count));
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int) * static_cast<size_t>(count));
  std::memcpy(CMSG_DATA(header), fds, sizeof(int) * static_cast<size_t>(count));
  for (;;) {
    const ssize_t n = sendmsg(fd, &message, kSendFlags);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

int DuplicateForSending(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return copy < 0 ? -errno : copy;
}

bool IsUnixSocket(int fd) {
  sockaddr_storage address;
  socklen_t length = sizeof address;
  return getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 && address.ss_family == AF_UNIX;
}

}  // namespace ioreactor
