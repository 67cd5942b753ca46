/*
 * udp_load_generator: a closed-loop datagram echo client for the benchmark harness.
 *
 * N UDP sockets, each connect()ed to the server, keep D datagrams of S bytes in flight each:
 * every echo that comes back is timed and immediately replaced by a new datagram. UDP may
 * drop, so a datagram not echoed within --timeout-ms is counted as lost and its place in the
 * window is taken by a new one; the loop never stalls on a loss. After a warm-up of W seconds
 * the generator counts for T seconds, then prints ONE line of JSON on stdout; "phase warmup",
 * "phase measure" and "phase end" go to stderr at those moments (as load_generator.c does), so
 * the harness can sample the server's CPU time at the edges of the measured window.
 *
 *   udp_load_generator --port P [--host 127.0.0.1] [--connections N] [--size S] [--depth D]
 *                      [--duration T] [--warmup W] [--timeout-ms MS]
 *
 * Every datagram carries a 16-byte header (its sequence number on the socket, the socket's
 * index, its slot in the socket's window), followed by S - 16 bytes of a pattern that starts
 * at a place derived from the sequence number. An echo is checked whole: its length, its
 * header (a socket index or slot that is not ours, a sequence number never sent) and every
 * payload byte; any difference is an error. An echo of a datagram already given up as lost is
 * "late", counted apart and not as a message. The payload is sent straight from the pattern
 * table (a two-part iovec), so building a datagram copies nothing but its header.
 *
 * Figures, over the measured window: messages (datagrams echoed and verified), sent, lost
 * (timed out), loss_pct = lost / (messages + lost), latencies from send to echo.
 * One thread, one epoll set, level-triggered; recvmmsg and sendmmsg per socket. Linux-only.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "latency_histogram.h"

/* The pattern repeats every PLEN bytes (a prime, so no size lines it up with itself); the
 * table is PLEN + MAX_SIZE long so every payload is one contiguous slice. */
#define PLEN 65521u
#define MAX_SIZE 65507u /* the largest IPv4 UDP payload */
#define HEADER 16u
#define RECV_BATCH 64
/* How often the windows are scanned for datagrams given up as lost. */
#define SCAN_NS 5000000ull

enum { P_WARMUP, P_MEASURE, P_END };

struct header {
  uint64_t seq;
  uint32_t sock, slot;
};

struct slot {
  struct header hdr; /* what the datagram in flight carries */
  uint64_t sent_ns;
};

struct sock {
  int fd;
  uint32_t index;
  uint64_t next_seq;
  struct slot *slots; /* `depth` of them: the window */
};

static struct sockaddr_in target;
static int nsocks = 32, depth = 4;
static uint32_t msg_size = 64;
static double duration = 5, warmup = 1, timeout_ms = 200;
static uint8_t *pattern;
static uint8_t *rbuf; /* RECV_BATCH receive slots of msg_size + 1 bytes (one more shows a longer echo) */
static struct histogram hist;
static uint64_t messages, sent, lost, late, errors, refused;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pattern_init(void) {
  pattern = malloc(PLEN + MAX_SIZE);
  if (!pattern) exit(1);
  for (uint32_t i = 0; i < PLEN + MAX_SIZE; i++) {
    uint32_t k = i % PLEN;
    pattern[i] = (uint8_t)(k + (k >> 8) * 31);
  }
}

/* Where the payload of datagram `seq` on socket `sock` starts in the pattern table. */
static const uint8_t *payload_of(uint64_t seq, uint32_t sock) {
  return pattern + (uint32_t)((seq * 131u + (uint64_t)sock * 7919u) % PLEN);
}

/* Puts a fresh datagram in `slot` and adds it to the socket's send batch. */
static void stage(struct sock *s, uint32_t slot, uint64_t now, struct mmsghdr *out, struct iovec (*iov)[2], int *count) {
  struct slot *sl = &s->slots[slot];
  sl->hdr.seq = s->next_seq++;
  sl->hdr.sock = s->index;
  sl->hdr.slot = slot;
  sl->sent_ns = now;
  int k = (*count)++;
  iov[k][0].iov_base = &sl->hdr;
  iov[k][0].iov_len = HEADER;
  iov[k][1].iov_base = (void *)payload_of(sl->hdr.seq, s->index);
  iov[k][1].iov_len = msg_size - HEADER;
  memset(&out[k], 0, sizeof out[k]);
  out[k].msg_hdr.msg_iov = iov[k];
  out[k].msg_hdr.msg_iovlen = 2;
}

/* Sends the staged datagrams. One that cannot go (a full send buffer, the server's port
 * closed) stays in its slot with its send time and is given up as lost when it times out. */
static void flush(struct sock *s, struct mmsghdr *out, int count, int ph) {
  int done = 0;
  while (done < count) {
    int k = sendmmsg(s->fd, out + done, (unsigned)(count - done), 0);
    if (k < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNREFUSED) refused++;
      break;
    }
    done += k;
  }
  if (ph == P_MEASURE) sent += (uint64_t)done;
}

/* Checks one echo; returns its slot when it completes the datagram in flight there, else -1. */
static int verify(struct sock *s, const uint8_t *buf, size_t len, int truncated) {
  struct header h;
  if (len != msg_size || truncated) {
    errors++;
    return -1;
  }
  memcpy(&h, buf, HEADER);
  if (h.sock != s->index || h.slot >= (uint32_t)depth || h.seq >= s->next_seq) {
    errors++;
    return -1;
  }
  if (memcmp(buf + HEADER, payload_of(h.seq, s->index), msg_size - HEADER) != 0) {
    errors++;
    return -1;
  }
  if (s->slots[h.slot].hdr.seq != h.seq) {
    late++; /* given up as lost, then echoed after all */
    return -1;
  }
  return (int)h.slot;
}

static void on_readable(struct sock *s, int ph, struct mmsghdr *out, struct iovec (*iov)[2]) {
  struct mmsghdr in[RECV_BATCH];
  struct iovec riov[RECV_BATCH];
  for (int i = 0; i < RECV_BATCH; i++) {
    riov[i].iov_base = rbuf + (size_t)i * (msg_size + 1);
    riov[i].iov_len = msg_size + 1;
    memset(&in[i], 0, sizeof in[i]);
    in[i].msg_hdr.msg_iov = &riov[i];
    in[i].msg_hdr.msg_iovlen = 1;
  }
  int n = recvmmsg(s->fd, in, RECV_BATCH, MSG_DONTWAIT, NULL);
  if (n <= 0) {
    /* ECONNREFUSED: an earlier datagram met a closed port (the server is gone). */
    if (n < 0 && errno == ECONNREFUSED) refused++;
    return;
  }
  uint64_t now = now_ns();
  int count = 0;
  for (int i = 0; i < n; i++) {
    int slot = verify(s, riov[i].iov_base, in[i].msg_len, (in[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
    if (slot < 0) continue;
    if (ph == P_MEASURE) {
      hist_record(&hist, now - s->slots[slot].sent_ns);
      messages++;
    }
    if (ph != P_END) stage(s, (uint32_t)slot, now, out, iov, &count);
  }
  if (count) flush(s, out, count, ph);
}

/* Datagrams in flight longer than the timeout are lost: count them, send new ones instead. */
static void scan_timeouts(struct sock *socks, int ph, uint64_t now, struct mmsghdr *out, struct iovec (*iov)[2]) {
  uint64_t limit = (uint64_t)(timeout_ms * 1e6);
  for (int i = 0; i < nsocks; i++) {
    struct sock *s = &socks[i];
    int count = 0;
    for (int j = 0; j < depth; j++) {
      if (now - s->slots[j].sent_ns < limit) continue;
      if (ph == P_MEASURE) lost++;
      stage(s, (uint32_t)j, now, out, iov, &count);
    }
    if (count) flush(s, out, count, ph);
  }
}

static int usage(void) {
  fprintf(stderr, "usage: udp_load_generator --port P [--host 127.0.0.1] [--connections N] [--size S] [--depth D]\n"
                  "         [--duration T] [--warmup W] [--timeout-ms MS]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return usage();
    i++;
    if (!strcmp(a, "--host")) host = v;
    else if (!strcmp(a, "--port")) port = atoi(v);
    else if (!strcmp(a, "--connections")) nsocks = atoi(v);
    else if (!strcmp(a, "--size")) msg_size = (uint32_t)atol(v);
    else if (!strcmp(a, "--depth")) depth = atoi(v);
    else if (!strcmp(a, "--duration")) duration = atof(v);
    else if (!strcmp(a, "--warmup")) warmup = atof(v);
    else if (!strcmp(a, "--timeout-ms")) timeout_ms = atof(v);
    else return usage();
  }
  if (port <= 0 || port > 65535 || nsocks < 1 || nsocks > 4096 || msg_size < HEADER || msg_size > MAX_SIZE || depth < 1 ||
      depth > RECV_BATCH || duration <= 0 || warmup < 0 || timeout_ms <= 0)
    return usage();
  target.sin_family = AF_INET;
  target.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &target.sin_addr) != 1) return usage();
  prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the harness */

  pattern_init();
  hist_init(&hist);
  rbuf = malloc((size_t)RECV_BATCH * (msg_size + 1));
  struct sock *socks = calloc((size_t)nsocks, sizeof *socks);
  struct slot *slots = calloc((size_t)nsocks * (size_t)depth, sizeof *slots);
  /* One send batch: a socket never has more than its window to send at once. */
  struct mmsghdr *out = calloc((size_t)depth, sizeof *out);
  struct iovec(*iov)[2] = calloc((size_t)depth, sizeof *iov);
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (!rbuf || !socks || !slots || !out || !iov || epfd < 0) return 1;
  for (int i = 0; i < nsocks; i++) {
    struct sock *s = &socks[i];
    s->index = (uint32_t)i;
    s->slots = slots + (size_t)i * (size_t)depth;
    s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&target, sizeof target) < 0) {
      perror("udp socket");
      return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) return 1;
  }

  fprintf(stderr, "phase warmup\n");
  uint64_t t0 = now_ns();
  uint64_t t_start = t0 + (uint64_t)(warmup * 1e9), t_end = t_start + (uint64_t)(duration * 1e9);
  for (int i = 0; i < nsocks; i++) {
    int count = 0;
    for (int j = 0; j < depth; j++) stage(&socks[i], (uint32_t)j, t0, out, iov, &count);
    flush(&socks[i], out, count, P_WARMUP);
  }
  int ph = P_WARMUP;
  uint64_t next_scan = t0 + SCAN_NS, measured_from = t_start, measured_to = t_end;
  struct epoll_event events[256];
  while (ph != P_END) {
    int n = epoll_wait(epfd, events, 256, 1);
    if (n < 0 && errno != EINTR) {
      perror("epoll_wait");
      return 1;
    }
    /* The phase changes between waits, so what a wait returned counts in the phase it ends in. */
    uint64_t now = now_ns();
    if (ph == P_WARMUP && now >= t_start) {
      ph = P_MEASURE;
      measured_from = now;
      fprintf(stderr, "phase measure\n");
    } else if (ph == P_MEASURE && now >= t_end) {
      ph = P_END;
      measured_to = now;
      fprintf(stderr, "phase end\n");
      break;
    }
    for (int i = 0; i < n; i++) on_readable(events[i].data.ptr, ph, out, iov);
    if (now >= next_scan) {
      /* A fresh clock: the echoes just handled stamped their replacements after `now`. */
      uint64_t scan_now = now_ns();
      scan_timeouts(socks, ph, scan_now, out, iov);
      next_scan = scan_now + SCAN_NS;
    }
  }

  double secs = (double)(measured_to - measured_from) / 1e9;
  uint64_t bytes = messages * msg_size;
  double loss_pct = messages + lost ? 100.0 * (double)lost / (double)(messages + lost) : 0;
  printf("{\"mode\":\"udp\",\"connections\":%d,\"size\":%u,\"depth\":%d,\"threads\":1,\"warmup\":%.3f,\"seconds\":%.4f,"
         "\"messages\":%llu,\"bytes\":%llu,\"msgs_per_sec\":%.1f,\"mb_per_sec\":%.3f,"
         "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f,"
         "\"errors\":%llu,\"connect_failures\":0,\"sent\":%llu,\"lost\":%llu,\"late\":%llu,\"refused\":%llu,"
         "\"loss_pct\":%.4f,\"timeout_ms\":%.1f}\n",
         nsocks, msg_size, depth, warmup, secs, (unsigned long long)messages, (unsigned long long)bytes,
         (double)messages / secs, (double)bytes / secs / 1e6, hist_quantile(&hist, 0.50) / 1e3,
         hist_quantile(&hist, 0.90) / 1e3, hist_quantile(&hist, 0.99) / 1e3, hist_quantile(&hist, 0.999) / 1e3,
         (double)hist.max / 1e3, hist_mean(&hist) / 1e3, (unsigned long long)errors, (unsigned long long)sent,
         (unsigned long long)lost, (unsigned long long)late, (unsigned long long)refused, loss_pct, timeout_ms);
  fflush(stdout);
  for (int i = 0; i < nsocks; i++) close(socks[i].fd);
  close(epfd);
  free(iov);
  free(out);
  free(slots);
  free(socks);
  free(rbuf);
  free(pattern);
  return errors == 0 ? 0 : 3;
}
