// The system calls of descriptor passing over UNIX stream sockets (SCM_RIGHTS): sending bytes
// with descriptors attached and receiving bytes with the descriptors that rode with them.
// Platform differences (MSG_CMSG_CLOEXEC, MSG_NOSIGNAL) are feature-tested here.
#ifndef IOREACTOR_DESCRIPTOR_PASSING_H_
#define IOREACTOR_DESCRIPTOR_PASSING_H_

#include <sys/types.h>

#include <cstddef>

namespace ioreactor {

// Most descriptors one message carries either way. Linux refuses more than 253 (SCM_MAX_FD) in
// one message; a peer sending more to us than this makes the message's control data truncated.
constexpr int kMaxDescriptorsPerMessage = 253;

// recvmsg into `buffer`, the descriptors that arrived stored in `fds` (room for
// kMaxDescriptorsPerMessage), close-on-exec, their number in `*fd_count`. Returns the bytes read
// (0 at end of stream) or -1 with errno set, as read() does. `*truncated` is set when the kernel
// had more control data than fits: the descriptors that did arrive were closed (none are
// returned), and the stream has lost some.
ssize_t ReceiveWithDescriptors(int fd, void* buffer, size_t length, int* fds, int* fd_count, bool* truncated);
// sendmsg of `length` bytes (at least 1) with `count` descriptors (1 to kMaxDescriptorsPerMessage)
// attached, never raising SIGPIPE. Returns the bytes sent or -errno. The descriptors went with
// the message if and only if some bytes were sent.
ssize_t SendWithDescriptors(int fd, const char* data, size_t length, const int* fds, int count);
// A close-on-exec copy of `fd` (>= 0) or -errno (-EBADF for a descriptor that is not open).
int DuplicateForSending(int fd);
// True if fd is a UNIX-domain socket.
bool IsUnixSocket(int fd);

}  // namespace ioreactor

#endif  // IOREACTOR_DESCRIPTOR_PASSING_H_
