/*
 * c_udp_echo_server: the hand-written datagram echo server the udp scenarios compare against.
 *
 * The "physical limit" reference for UDP, as c_echo_server.c is for TCP: one thread, one
 * socket, one epoll set, level-triggered. Each time the socket is readable, recvmmsg takes up
 * to a batch of datagrams (64 by default) into fixed slots, and sendmmsg writes the whole
 * batch back, each datagram to the address it came from. A full batch is followed by another
 * (at most READ_BUDGET per report), so a busy socket costs two system calls per batch, not per
 * datagram; level triggering brings us back for whatever is left.
 *
 *   c_udp_echo_server [--port P] [--host 127.0.0.1] [--batch N] [--max-size BYTES]
 *
 * Datagrams longer than --max-size (default 2048, as the ioreactor server's maxPacketSize)
 * arrive truncated (MSG_TRUNC): they are counted and not echoed. What sendmmsg cannot send
 * (the socket's send buffer is full: EAGAIN) is dropped, as any UDP sender may, and counted;
 * the client sees it as a loss.
 *
 * A line "stats" on stdin is answered with "stats {json}": the system calls made for the
 * socket (epoll_wait, recvmmsg, sendmmsg) with the field names of ioreactor's reactor.stats(),
 * so syscalls/msg compares with the ioreactor rows. "reads" and "writes" count calls, not
 * datagrams; "dropped" and "truncated" are datagrams.
 *
 * Prints "listening <port>" on stdout once bound (port 0 picks a free one) and exits with
 * status 0 on SIGTERM/SIGINT or when its parent dies. Linux-only (epoll, recvmmsg, sendmmsg).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stats_requests.h"

#define MAX_BATCH 1024
/* Full batches read per readiness report before epoll is asked again (stdin, signals). */
#define READ_BUDGET 16

static int epfd, sock_fd, sig_fd;
static unsigned batch = 64;
static size_t max_size = 2048;
static char sock_tag, signal_tag, stdin_tag;

static struct mmsghdr *msgs;
static struct iovec *iovs;
static struct sockaddr_in6 *addrs; /* room for either family; the socket is IPv4 here */
static char *slots;

static struct {
  unsigned long long waits, events, reads, bytes_read, writes, bytes_written, datagrams, dropped, truncated;
} st;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void alloc_batch(void) {
  msgs = calloc(batch, sizeof *msgs);
  iovs = calloc(batch, sizeof *iovs);
  addrs = calloc(batch, sizeof *addrs);
  slots = malloc((size_t)batch * max_size);
  if (!msgs || !iovs || !addrs || !slots) die("malloc");
}

/* recvmmsg overwrites msg_len, msg_namelen and msg_flags: reset what it reads back in. */
static void arm_for_receive(unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    iovs[i].iov_base = slots + (size_t)i * max_size;
    iovs[i].iov_len = max_size;
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &addrs[i];
    msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
    msgs[i].msg_hdr.msg_control = NULL;
    msgs[i].msg_hdr.msg_controllen = 0;
    msgs[i].msg_hdr.msg_flags = 0;
  }
}

/* Sends the n received datagrams back, each to its sender, skipping truncated ones. */
static void echo_batch(unsigned n) {
  unsigned out = 0;
  for (unsigned i = 0; i < n; i++) {
    st.bytes_read += msgs[i].msg_len;
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
      st.truncated++;
      continue;
    }
    iovs[i].iov_len = msgs[i].msg_len; /* the reply is exactly what came */
    if (out != i) msgs[out] = msgs[i];
    out++;
  }
  st.datagrams += n;
  unsigned sent = 0;
  while (sent < out) {
    int k = sendmmsg(sock_fd, msgs + sent, out - sent, 0);
    st.writes++;
    if (k < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break; /* full: drop the rest */
      /* A per-datagram error (say an unreachable sender) fails the first one: skip it. */
      st.dropped++;
      sent++;
      continue;
    }
    for (int j = 0; j < k; j++) st.bytes_written += msgs[sent + (unsigned)j].msg_len;
    sent += (unsigned)k;
  }
  st.dropped += out - sent;
}

static void on_readable(void) {
  for (int round = 0; round < READ_BUDGET; round++) {
    arm_for_receive(batch);
    int n = recvmmsg(sock_fd, msgs, batch, MSG_DONTWAIT, NULL);
    st.reads++;
    if (n < 0) {
      if (errno == EINTR) continue;
      return; /* EAGAIN, or an error level triggering will report again */
    }
    if (n == 0) return;
    echo_batch((unsigned)n);
    if ((unsigned)n < batch) return; /* the queue is empty (or nearly): back to epoll */
  }
}

/* Answers a "stats" line from the harness (stats_requests.h). */
static void print_stats(void) {
  unsigned long long sys = st.waits + st.reads + st.writes;
  printf("stats {\"waits\":%llu,\"events\":%llu,\"reads\":%llu,\"bytesRead\":%llu,\"writes\":%llu,"
         "\"bytesWritten\":%llu,\"accepts\":0,\"pollerChanges\":0,\"syscalls\":%llu,\"datagrams\":%llu,"
         "\"dropped\":%llu,\"truncated\":%llu}\n",
         st.waits, st.events, st.reads, st.bytes_read, st.writes, st.bytes_written, sys, st.datagrams, st.dropped,
         st.truncated);
  fflush(stdout);
}

static int usage(void) {
  fprintf(stderr, "usage: c_udp_echo_server [--port P] [--host ADDR] [--batch N] [--max-size BYTES]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--host") && i + 1 < argc) host = argv[++i];
    else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--max-size") && i + 1 < argc) max_size = (size_t)atol(argv[++i]);
    else return usage();
  }
  if (batch < 1 || batch > MAX_BATCH || max_size < 16 || max_size > 65536 || port < 0 || port > 65535) return usage();

  prctl(PR_SET_PDEATHSIG, SIGTERM); /* a benchmark child never outlives the harness */
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) die("sigprocmask");
  if ((sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) die("signalfd");
  if (getppid() == 1) return 0; /* parent died before PDEATHSIG was armed */

  alloc_batch();
  sock_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sock_fd < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return usage();
  if (bind(sock_fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  socklen_t alen = sizeof addr;
  if (getsockname(sock_fd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");

  if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &sock_tag};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, sock_fd, &ev) < 0) die("epoll_ctl socket");
  ev.data.ptr = &signal_tag;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, sig_fd, &ev) < 0) die("epoll_ctl signalfd");
  /* stdin may be a file or /dev/null (epoll refuses those): then nobody asks for stats. */
  ev.data.ptr = &stdin_tag;
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);

  printf("listening %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  struct epoll_event events[8];
  for (;;) {
    int n = epoll_wait(epfd, events, 8, -1);
    st.waits++;
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    st.events += (unsigned long long)n;
    for (int i = 0; i < n; i++) {
      void *p = events[i].data.ptr;
      if (p == &sock_tag) on_readable();
      else if (p == &stdin_tag) read_stats_requests(epfd, print_stats);
      else if (p == &signal_tag) goto out;
    }
  }
out:
  close(sock_fd);
  close(epfd);
  close(sig_fd);
  free(msgs);
  free(iovs);
  free(addrs);
  free(slots);
  return 0;
}
