// Which system-call path this build takes where the platforms differ. Linux has batch calls for
// datagrams (recvmmsg, sendmmsg), a receive flag that makes passed descriptors close-on-exec
// atomically (MSG_CMSG_CLOEXEC, FreeBSD too), accept4 (FreeBSD too), and IPv4 multicast options
// that take an int. macOS and the other BSDs take the portable paths instead: one recvmsg or
// sendmsg per datagram, fcntl(FD_CLOEXEC) right after a descriptor arrives, accept then fcntl,
// and a byte for IP_MULTICAST_TTL / IP_MULTICAST_LOOP.
//
// Defining IOREACTOR_PORTABLE_FALLBACKS (scripts/test-portable.sh) makes a Linux build take
// every portable path that Linux can run too, so the code macOS and the BSDs depend on runs
// under the same tests here. One difference it cannot reach: SIGPIPE. Linux has MSG_NOSIGNAL
// and no SO_NOSIGPIPE, so the per-socket option macOS relies on does not exist here and the
// fallback build keeps sending with MSG_NOSIGNAL.
#ifndef IOREACTOR_PLATFORM_PATHS_H_
#define IOREACTOR_PLATFORM_PATHS_H_

#include <sys/socket.h>

#if defined(__linux__) && !defined(IOREACTOR_PORTABLE_FALLBACKS)
#define IOREACTOR_HAVE_MMSG 1
#define IOREACTOR_MULTICAST_OPTIONS_TAKE_INT 1
#endif

#if defined(MSG_CMSG_CLOEXEC) && !defined(IOREACTOR_PORTABLE_FALLBACKS)
#define IOREACTOR_HAVE_MSG_CMSG_CLOEXEC 1
#endif

#if (defined(__linux__) || defined(__FreeBSD__)) && !defined(IOREACTOR_PORTABLE_FALLBACKS)
#define IOREACTOR_HAVE_ACCEPT4 1
#endif

#endif  // IOREACTOR_PLATFORM_PATHS_H_
