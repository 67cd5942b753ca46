// ReceiveDatagrams on the portable path (one recvmsg per datagram), against a
// scripted recvmsg: an error met after some datagrams were received must come
// from the next call on that socket, and never from a later socket given the
// same descriptor number. Compiled with IOREACTOR_PORTABLE_FALLBACKS by
// receive-datagrams.test.ts; prints TAP-style "ok"/"not ok".
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <deque>

#include "datagram.h"

namespace {

// What the next recvmsg calls answer: a datagram of that many bytes, or -errno.
// Then EAGAIN.
std::deque<int> script;
int failures = 0;

void Check(bool ok, const char* what) {
  std::printf("%s - %s\n", ok ? "ok" : "not ok", what);
  if (!ok) failures++;
}

int Receive(int fd) {
  static uint8_t buffer[4][64];
  ioreactor::ReceiveSlot slots[4];
  for (int i = 0; i < 4; i++) slots[i] = {buffer[i], sizeof buffer[i], 0, 0, false, {}, 0};
  return ioreactor::ReceiveDatagrams(fd, slots, 4);
}

}  // namespace

// Takes the place of the C library's recvmsg for ReceiveDatagrams in this
// program.
extern "C" ssize_t recvmsg(int /*fd*/, struct msghdr* message, int /*flags*/) {
  if (script.empty()) {
    errno = EAGAIN;
    return -1;
  }
  const int next = script.front();
  script.pop_front();
  if (next < 0) {
    errno = -next;
    return -1;
  }
  std::memset(message->msg_iov[0].iov_base, 'x', static_cast<size_t>(next));
  message->msg_namelen = 0;
  message->msg_flags = 0;
  return next;
}

int main() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  script = {3, 5, -ECONNREFUSED};
  Check(Receive(fd) == 2, "the datagrams before the error are returned");
  Check(Receive(fd) == -ECONNREFUSED, "the error comes from the next call");
  Check(Receive(fd) == -EAGAIN, "and only once");

  script = {1, -EAGAIN};
  Check(Receive(fd) == 1, "a datagram then EAGAIN");
  Check(Receive(fd) == -EAGAIN, "holds no error");

  script = {1, -ECONNREFUSED, 2};
  Check(Receive(fd) == 1, "a datagram before an error, again");
  close(fd);
  const int reused = socket(AF_INET, SOCK_DGRAM, 0);
  Check(reused == fd, "the descriptor number is given to a new socket");
  Check(Receive(reused) == 1, "the new socket does not get the closed one's error");
  close(reused);

  std::printf("1..8\n");
  return failures == 0 ? 0 : 1;
}
