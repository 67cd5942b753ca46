/*
 * c_echo_server: the hand-written epoll echo server the benchmark compares against.
 *
 * It is the "physical limit" reference: one thread, one epoll set, no framework. Each
 * readable connection is read into one fixed buffer and written straight back. Only when
 * the kernel refuses part of a write do we copy the rest into a small per-connection
 * pending buffer, stop reading that connection (backpressure) and wait for EPOLLOUT.
 *
 *   c_echo_server [--port P] [--host 127.0.0.1] [--edge] [--buffer BYTES] [--nodelay] [--stream]
 *
 * --stream: instead of echoing, each connection, once it has sent its first byte (the
 * "start" of the load generator's --sink mode; whatever it sends is read and discarded),
 * is written to whenever it is writable, from one static 64 KiB buffer filled with the
 * stream pattern (see stream_init), continued across partial writes, so the client can
 * verify the stream.
 *
 * The server counts its own system calls (epoll_wait, recv/read, send, accept, epoll_ctl)
 * with plain counters; a line "stats" on stdin (registered in the epoll set, so this costs
 * nothing per message) is answered by one line "stats {json}" on stdout, with the field
 * names of ioreactor's reactor.stats().
 *
 * Prints "listening <port>" on stdout once accepting (port 0 picks a free one) and exits
 * with status 0 on SIGTERM/SIGINT or when its parent dies. Linux-only (epoll, accept4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
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

#define MAX_EVENTS 1024
/* Level mode does bounded work per report and lets epoll report again; edge mode must drain
 * until EAGAIN, but a connection that is still readable after this many reads goes to the
 * back of a ready list so one busy peer cannot starve the rest. */
#define EDGE_READ_BUDGET 16
#define ACCEPT_BUDGET 64

struct conn {
  int fd;
  unsigned want_out : 1; /* EPOLLOUT currently requested (level mode only) */
  unsigned queued : 1;   /* on the ready list (edge mode) */
  unsigned dead : 1;     /* closed while queued: free when popped */
  unsigned streaming : 1; /* --stream: the start byte came, write whenever writable */
  uint32_t stream_off;   /* --stream: offset in the 64 KiB buffer of the next byte to send */
  uint32_t pend_off, pend_len;
  char *pend;            /* allocated on the first partial write, kept until close */
  struct conn *next_ready;
};

static int epfd, listen_fd, sig_fd, spare_fd = -1;
static int edge, nodelay, stream_mode;
static size_t buf_size = 65536;  /* the same per-read budget as ioreactor's streams */
static char *rbuf;
static struct conn *ready_head, *ready_tail;
/* Distinct addresses tag the two non-connection descriptors in epoll_event.data.ptr. */
static char listen_tag, signal_tag, stdin_tag;

/* --stream: the bytes every connection is sent, over and over. Byte k of the stream is
 * stream_buf[k % STREAM_CHUNK]; load_generator.c's --sink mode checks it with the same fold. */
#define STREAM_CHUNK 65536u
#define STREAM_BUDGET 16
static uint8_t stream_buf[STREAM_CHUNK];

static void stream_init(void) {
  for (uint32_t k = 0; k < STREAM_CHUNK; k++) stream_buf[k] = (uint8_t)(k + (k >> 8) * 31);
}

/* System calls made for the connections and the poller, counted where they are made; the
 * answer to a "stats" line on stdin. The stdin and signalfd reads are not counted. */
static struct {
  unsigned long long waits, events, reads, bytes_read, writes, bytes_written, accepts, ctls;
} st;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static int ctl(int op, int fd, uint32_t events, void *ptr) {
  struct epoll_event ev = {.events = events, .data.ptr = ptr};
  st.ctls++;
  return epoll_ctl(epfd, op, fd, &ev);
}

static void close_conn(struct conn *c) {
  /* Closing removes the fd from the epoll set; no later event in this batch can name it,
   * because epoll reports each registration at most once per epoll_wait. */
  close(c->fd);
  c->fd = -1;
  free(c->pend);
  c->pend = NULL;
  if (c->queued) c->dead = 1; /* still linked from the ready list */
  else free(c);
}

static void push_ready(struct conn *c) {
  if (c->queued) return;
  c->queued = 1;
  c->next_ready = NULL;
  if (ready_tail) ready_tail->next_ready = c;
  else ready_head = c;
  ready_tail = c;
}

/* Bytes echoed (accepted by send) since start; printed as "count <bytes>" on SIGUSR2, the
 * harness's server-side cross-check of the load generator's own count. */
static unsigned long long echoed_bytes;

/* Writes the pending bytes. Returns 1 when drained, 0 when the kernel is full, -1 on error. */
static int flush_pending(struct conn *c) {
  while (c->pend_len > 0) {
    ssize_t n = send(c->fd, c->pend + c->pend_off, c->pend_len, MSG_NOSIGNAL);
    st.writes++;
    if (n < 0) {
      if (errno == EINTR) continue;
      return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
    st.bytes_written += (unsigned long long)n;
    c->pend_off += (uint32_t)n;
    c->pend_len -= (uint32_t)n;
    echoed_bytes += (unsigned long long)n;
  }
  c->pend_off = 0;
  return 1;
}

/* Level mode: ask for EPOLLOUT instead of EPOLLIN while bytes are pending, so a peer that
 * does not read cannot make us buffer without bound. Edge mode registers both once. */
static int set_want_out(struct conn *c, int on) {
  if (edge || c->want_out == on) return 0;
  c->want_out = on;
  return ctl(EPOLL_CTL_MOD, c->fd, on ? EPOLLOUT : EPOLLIN, c);
}

/* One read and its echo. Returns 1 if the connection may have more to read, 0 if it is
 * drained or waiting for EPOLLOUT, -1 if it was closed. */
static int echo_once(struct conn *c) {
  ssize_t n = recv(c->fd, rbuf, buf_size, 0);
  st.reads++;
  if (n == 0) goto closed;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    goto closed;
  }
  st.bytes_read += (unsigned long long)n;
  ssize_t w = send(c->fd, rbuf, (size_t)n, MSG_NOSIGNAL);
  st.writes++;
  if (w < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) goto closed;
    w = 0;
  }
  st.bytes_written += (unsigned long long)w;
  echoed_bytes += (unsigned long long)w;
  if (w < n) {
    /* The pending buffer is as large as the read buffer and we stop reading until it
     * drains, so one copy always fits. */
    if (!c->pend && !(c->pend = malloc(buf_size))) goto closed;
    memcpy(c->pend, rbuf + w, (size_t)(n - w));
    c->pend_off = 0;
    c->pend_len = (uint32_t)(n - w);
    if (set_want_out(c, 1) < 0) goto closed;
    return 0;
  }
  /* A full buffer suggests more is waiting; a short read means the socket is empty. */
  return (size_t)n == buf_size;
closed:
  close_conn(c);
  return -1;
}

/* --stream: writes the static buffer until the kernel is full (0), the budget is spent (1:
 * more may fit) or the connection fails (-1, closed). */
static int stream_out(struct conn *c) {
  for (int i = 0; i < STREAM_BUDGET; i++) {
    ssize_t n = send(c->fd, stream_buf + c->stream_off, STREAM_CHUNK - c->stream_off, MSG_NOSIGNAL);
    st.writes++;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      close_conn(c);
      return -1;
    }
    st.bytes_written += (unsigned long long)n;
    c->stream_off = (uint32_t)((c->stream_off + (uint32_t)n) % STREAM_CHUNK);
  }
  return 1;
}

/* --stream: a readable connection sent its start byte (or more, or EOF): read and discard,
 * then start writing. Level mode adds EPOLLOUT once; edge mode registered it at accept. */
static void stream_readable(struct conn *c) {
  ssize_t n = recv(c->fd, rbuf, buf_size, 0);
  st.reads++;
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    close_conn(c);
    return;
  }
  if (n > 0) st.bytes_read += (unsigned long long)n;
  if (c->streaming) return;
  c->streaming = 1;
  if (!edge && ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLOUT, c) < 0) {
    close_conn(c);
    return;
  }
  if (stream_out(c) > 0 && edge) push_ready(c);
}

static void on_readable(struct conn *c) {
  if (stream_mode) {
    stream_readable(c);
    return;
  }
  if (c->pend_len > 0) return; /* paused until the pending bytes drain */
  if (!edge) {
    echo_once(c);
    return;
  }
  for (int i = 0; i < EDGE_READ_BUDGET; i++) {
    int r = echo_once(c);
    if (r <= 0) return;
  }
  push_ready(c); /* budget spent: the kernel will not report again, so remember it */
}

/* Returns -1 when the connection was closed (and perhaps freed: do not touch it). */
static int on_writable(struct conn *c) {
  if (stream_mode) {
    /* Level mode: one budget per report, epoll reports again while there is room. Edge
     * mode: a spent budget means room may be left and no new edge will come. */
    int r = c->streaming ? stream_out(c) : 0;
    if (r > 0 && edge) push_ready(c);
    return r < 0 ? -1 : 0;
  }
  int r = flush_pending(c);
  if (r < 0) {
    close_conn(c);
    return -1;
  }
  if (r == 0) return 0;
  if (set_want_out(c, 0) < 0) {
    close_conn(c);
    return -1;
  }
  /* Reading was paused; in edge mode any EPOLLIN edge during the pause was consumed, so
   * resume through the ready list rather than waiting for an edge that may never come. */
  if (edge) push_ready(c);
  return 0;
}

static void accept_some(void) {
  for (int i = 0; edge || i < ACCEPT_BUDGET; i++) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    st.accepts++;
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
        /* Out of descriptors: free the spare, take the connection and drop it, so the
         * listen queue does not keep reporting a connection we can never accept. */
        close(spare_fd);
        fd = accept(listen_fd, NULL, NULL);
        st.accepts++;
        if (fd >= 0) close(fd);
        spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      return; /* EAGAIN, or an error we leave for the next report */
    }
    if (nodelay) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    uint32_t events = edge ? (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) : EPOLLIN;
    if (ctl(EPOLL_CTL_ADD, fd, events, c) < 0) {
      close(fd);
      free(c);
    }
  }
}

/* Answers a "stats" line from the harness (stats_requests.h). */
static void print_stats(void) {
  unsigned long long sys = st.waits + st.reads + st.writes + st.accepts + st.ctls;
  printf("stats {\"waits\":%llu,\"events\":%llu,\"reads\":%llu,\"bytesRead\":%llu,\"writes\":%llu,"
         "\"bytesWritten\":%llu,\"accepts\":%llu,\"pollerChanges\":%llu,\"syscalls\":%llu}\n",
         st.waits, st.events, st.reads, st.bytes_read, st.writes, st.bytes_written, st.accepts, st.ctls, sys);
  fflush(stdout);
}

static void run_ready_list(void) {
  /* Detach the list: connections re-queued while we walk it wait for the next round, after
   * the kernel has been asked for new events, so the ready list cannot starve epoll. */
  struct conn *c = ready_head;
  ready_head = ready_tail = NULL;
  while (c) {
    struct conn *next = c->next_ready; /* on_readable may re-queue c and reset its link */
    c->queued = 0;
    if (c->dead) free(c);
    else if (stream_mode) {
      if (c->streaming && stream_out(c) > 0) push_ready(c);
    } else on_readable(c);
    c = next;
  }
}

static int usage(void) {
  fprintf(stderr, "usage: c_echo_server [--port P] [--host ADDR] [--edge] [--buffer BYTES] [--nodelay] [--stream]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--host") && i + 1 < argc) host = argv[++i];
    else if (!strcmp(argv[i], "--edge")) edge = 1;
    else if (!strcmp(argv[i], "--level")) edge = 0;
    else if (!strcmp(argv[i], "--nodelay")) nodelay = 1;
    else if (!strcmp(argv[i], "--stream")) stream_mode = 1;
    else if (!strcmp(argv[i], "--buffer") && i + 1 < argc) buf_size = (size_t)atol(argv[++i]);
    else return usage();
  }
  if (buf_size < 64 || buf_size > (1u << 24)) return usage();

  /* A benchmark child must not outlive the harness, even if the harness is SIGKILLed. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGUSR2);
  if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) die("sigprocmask");
  if ((sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) die("signalfd");
  if (getppid() == 1) return 0; /* parent died before PDEATHSIG was armed */

  if (!(rbuf = malloc(buf_size))) die("malloc");
  stream_init();
  spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

  listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) die("socket");
  int one = 1;
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return usage();
  if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listen_fd, SOMAXCONN) < 0) die("listen");
  socklen_t alen = sizeof addr;
  if (getsockname(listen_fd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");

  if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
  /* The listener follows the mode: level accepts a bounded number per report and relies on
   * the next one; edge drains the queue (accept_some ignores the budget) so no edge is lost. */
  if (ctl(EPOLL_CTL_ADD, listen_fd, edge ? (EPOLLIN | EPOLLET) : EPOLLIN, &listen_tag) < 0) die("epoll_ctl listen");
  if (ctl(EPOLL_CTL_ADD, sig_fd, EPOLLIN, &signal_tag) < 0) die("epoll_ctl signalfd");
  /* "stats" requests from the harness. stdin may be a file or /dev/null (epoll refuses
   * those): then there is nobody to answer. */
  ctl(EPOLL_CTL_ADD, 0, EPOLLIN, &stdin_tag);
  memset(&st, 0, sizeof st); /* the set-up's epoll_ctl calls are not the load's */

  printf("listening %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(epfd, events, MAX_EVENTS, ready_head ? 0 : -1);
    st.waits++;
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    st.events += (unsigned long long)n;
    for (int i = 0; i < n; i++) {
      void *p = events[i].data.ptr;
      uint32_t ev = events[i].events;
      if (p == &listen_tag) {
        accept_some();
      } else if (p == &stdin_tag) {
        read_stats_requests(epfd, print_stats);
      } else if (p == &signal_tag) {
        struct signalfd_siginfo si;
        int stop_now = 0;
        while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
          if (si.ssi_signo == SIGUSR2) {
            printf("count %llu\n", echoed_bytes);
            fflush(stdout);
          } else {
            stop_now = 1;
          }
        }
        if (stop_now) goto out;
      } else {
        struct conn *c = p;
        if (c->dead || c->fd < 0) continue;
        /* An error, or a hang-up while we wait to write, will not go away: level mode would
         * report it forever, so close now. A plain hang-up is found by the read (EOF). */
        if ((ev & EPOLLERR) || ((ev & EPOLLHUP) && c->pend_len > 0)) {
          close_conn(c);
          continue;
        }
        /* Write first: draining the pending bytes is what lets reading resume. */
        if ((ev & EPOLLOUT) && (stream_mode || c->pend_len > 0) && on_writable(c) < 0) continue;
        if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c);
      }
    }
    if (ready_head) run_ready_list();
  }
out:
  /* Connections are not tracked in a table, so exit() closes them; the listener and epoll
   * set go explicitly so the port is released before we report success. */
  close(listen_fd);
  close(epfd);
  free(rbuf);
  return 0;
}
