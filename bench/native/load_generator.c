/*
 * load_generator: a closed-loop echo client for the benchmark harness.
 *
 * N connections each keep D messages of S bytes in flight: every echoed message that comes
 * back is timed and immediately replaced by a new one. After a warm-up of W seconds the
 * generator counts for T seconds, then prints ONE line of JSON on stdout. Progress lines go
 * to stderr ("phase warmup", "phase measure", "phase end") so the harness can sample the
 * server's CPU time at the edges of the measured window.
 *
 *   load_generator --port P [--host 127.0.0.1] [--connections N] [--size S] [--depth D]
 *                  [--duration T] [--warmup W] [--threads K] [--connect-window C]
 *                  [--connect-timeout SECS] [--idle | --churn | --sink]
 *
 * --churn: connection churn. Each of the N connection slots repeatedly connects, sends one
 * message of S bytes, waits for its echo, closes (a normal FIN close) and connects again.
 * `messages` then counts completed cycles, so msgs_per_sec is connections per second, and
 * the latencies are whole cycles (connect start to echo received).
 *
 * --idle: every connection exchanges one message and then stays silent; a JSON line is
 * printed once all are established and the process waits for SIGTERM/SIGINT. The harness
 * uses it to measure a server's memory per idle connection.
 *
 * --sink: one-direction stream. Each connection, once connected, sends nothing until the load
 * starts, then one byte ('S', the start signal) and from then on only reads and discards
 * what the server streams (c_echo_server --stream and the servers' stream modes). Bytes are
 * counted in the measured window; `messages` = bytes / S (S is the chunk the figures are
 * per: 64 KiB in the harness's stream scenario), so msgs_per_sec and the per-message
 * columns stay meaningful. The latencies are the time between two completed S-byte chunks
 * on one connection. The stream is checked byte for byte: byte k must be
 * stream pattern[k mod 65536] (see sink_init), so the servers must send one 64 KiB buffer
 * filled that way, over and over, continued across partial writes.
 *
 * Every byte sent is taken from a position-counter pattern (see pattern_init) continued
 * across the connection's stream, and every byte echoed is compared with it, so a lost,
 * duplicated, reordered or cross-connection byte is counted as an error.
 * Linux-only: epoll, one epoll set per thread, level-triggered.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "latency_histogram.h"

/* The pattern repeats every PLEN bytes; PLEN is prime so no message size lines a shifted
 * stream back up with itself. The table is PLEN + CHUNK long so any send or verify slice
 * of at most CHUNK bytes is contiguous (no wrap-around in the hot path). */
#define PLEN 65521u
#define CHUNK 65536u

enum { P_CONNECT, P_WARMUP, P_MEASURE, P_END };
enum { C_IDLE, C_CONNECTING, C_HANDSHAKE, C_RUNNING, C_CLOSED };

struct conn {
  int fd;
  uint8_t state, want_out, established;
  uint32_t seed;                /* pattern index of stream offset 0 */
  uint64_t send_off, send_goal; /* bytes written so far, bytes queued so far */
  uint64_t recv_off;            /* bytes echoed and verified so far */
  uint64_t last_bad;            /* message already counted as corrupt */
  uint64_t *sent_ns;            /* ring of `depth` send times, indexed by message number */
  uint64_t opened_ns;           /* --churn: when this cycle's connect started */
};

struct worker {
  pthread_t tid;
  int index, epfd;
  struct conn **conns;
  int nconns, next_open, in_progress;
  uint64_t messages, errors;
  uint64_t sink_bytes; /* --sink: bytes received in the measured window */
  struct histogram hist;
};

static struct sockaddr_in target;
static int nconns = 100, depth = 1, nthreads = 1, idle_mode, churn_mode, sink_mode;
static uint32_t msg_size = 64;
static double duration = 5, warmup = 1, connect_timeout = 30;
static int connect_window = 32;
static uint8_t *pattern;
/* --sink: what the servers stream, one 64 KiB period, extended by CHUNK so any read of at
 * most CHUNK bytes compares against a contiguous slice. */
#define SINK_PERIOD 65536u
static uint8_t *sink_pattern;
static _Atomic int phase = P_CONNECT;
static _Atomic int settled; /* connections established or failed for good */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static void pattern_init(void) {
  pattern = malloc(PLEN + CHUNK);
  if (!pattern) exit(1);
  /* A byte counter with the high byte folded in, so consecutive 256-byte runs differ. */
  for (uint32_t i = 0; i < PLEN + CHUNK; i++) {
    uint32_t k = i % PLEN;
    pattern[i] = (uint8_t)(k + (k >> 8) * 31);
  }
}

/* The servers' stream: byte k is (k + (k >> 8) * 31) mod 256 for k = offset mod 65536 (the
 * same fold as pattern_init, over a power-of-two period that the servers' 64 KiB buffer is). */
static void sink_init(void) {
  sink_pattern = malloc(SINK_PERIOD + CHUNK);
  if (!sink_pattern) exit(1);
  for (uint32_t i = 0; i < SINK_PERIOD + CHUNK; i++) {
    uint32_t k = i % SINK_PERIOD;
    sink_pattern[i] = (uint8_t)(k + (k >> 8) * 31);
  }
}

static int ctl(struct worker *w, int op, struct conn *c, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  return epoll_ctl(w->epfd, op, c->fd, &ev);
}

static void close_conn(struct worker *w, struct conn *c) {
  /* --churn: a slot that has cycled before and now fails stays closed, counted as an error. */
  if (churn_mode && c->established && c->state != C_CLOSED && atomic_load_explicit(&phase, memory_order_relaxed) != P_END)
    w->errors++;
  if (c->state == C_CONNECTING || c->state == C_HANDSHAKE) {
    w->in_progress--;
    atomic_fetch_add(&settled, 1);
  } else if (c->state == C_RUNNING && atomic_load_explicit(&phase, memory_order_relaxed) != P_END) {
    w->errors++; /* the server dropped a live connection */
  }
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->state = C_CLOSED;
}

/* Queues `count` more messages, stamped `now`, and writes as much as the kernel takes. */
static int send_more(struct worker *w, struct conn *c, int count, uint64_t now) {
  for (int i = 0; i < count; i++) {
    uint64_t msg = c->send_goal / msg_size;
    c->sent_ns[msg % (uint64_t)depth] = now;
    c->send_goal += msg_size;
  }
  while (c->send_off < c->send_goal) {
    uint64_t left = c->send_goal - c->send_off;
    size_t len = left < CHUNK ? (size_t)left : CHUNK;
    const uint8_t *src = pattern + (c->seed + c->send_off) % PLEN;
    ssize_t n = send(c->fd, src, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!c->want_out) {
        c->want_out = 1;
        if (ctl(w, EPOLL_CTL_MOD, c, EPOLLIN | EPOLLOUT) < 0) return -1;
      }
      return 0;
    }
    c->send_off += (uint64_t)n;
  }
  if (c->want_out) {
    c->want_out = 0;
    if (ctl(w, EPOLL_CTL_MOD, c, EPOLLIN) < 0) return -1;
  }
  return 0;
}

static void open_conn(struct worker *w, struct conn *c) {
  w->in_progress++;
  c->opened_ns = now_ns();
  c->state = C_CONNECTING;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) goto fail;
  /* Without NODELAY the pipelined writes would wait on delayed ACKs (Nagle). */
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(c->fd, (struct sockaddr *)&target, sizeof target) < 0 && errno != EINPROGRESS) goto fail;
  c->want_out = 1; /* writability reports the end of the connect */
  if (ctl(w, EPOLL_CTL_ADD, c, EPOLLIN | EPOLLOUT) < 0) goto fail;
  return;
fail:
  close_conn(w, c);
}

static void open_one(struct worker *w) { open_conn(w, w->conns[w->next_open++]); }

/* --churn: one cycle is done; close gracefully and start the next connect in the same slot. */
static void churn_cycle(struct worker *w, struct conn *c, int ph, uint64_t now) {
  if (ph == P_MEASURE) {
    hist_record(&w->hist, now - c->opened_ns);
    w->messages++;
  }
  w->in_progress--;
  close(c->fd);
  c->fd = -1;
  c->state = C_CLOSED;
  c->send_off = c->send_goal = c->recv_off = 0;
  c->last_bad = UINT64_MAX;
  if (ph != P_END) open_conn(w, c);
}

static void on_connected(struct worker *w, struct conn *c, uint64_t now) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
    close_conn(w, c);
    return;
  }
  if (sink_mode) {
    /* No echo to prove the accept: the start byte goes when the load starts. */
    c->state = C_RUNNING;
    c->established = 1;
    c->want_out = 0;
    w->in_progress--;
    atomic_fetch_add(&settled, 1);
    if (ctl(w, EPOLL_CTL_MOD, c, EPOLLIN) < 0) close_conn(w, c);
    return;
  }
  c->state = C_HANDSHAKE;
  /* One message proves the server has really accepted the connection and built its state
   * (a client-side connect only means the kernel queued it). The load itself starts when
   * every connection has done this: connections that started early would keep the server
   * too busy to accept the rest (10 000 connections to node:net then take minutes). */
  if (send_more(w, c, 1, now) < 0) close_conn(w, c);
}

static void count_corruption(struct worker *w, struct conn *c, const uint8_t *got, const uint8_t *want, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (got[i] == want[i]) continue;
    uint64_t msg = (c->recv_off + i) / msg_size;
    if (msg != c->last_bad) {
      c->last_bad = msg;
      w->errors++;
    }
  }
}

/* --sink: read, check against the stream pattern, count, discard. */
static void on_sink_readable(struct worker *w, struct conn *c, uint8_t *buf, int ph, uint64_t now) {
  ssize_t n = recv(c->fd, buf, CHUNK, 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    close_conn(w, c);
    return;
  }
  const uint8_t *want = sink_pattern + c->recv_off % SINK_PERIOD;
  if (memcmp(buf, want, (size_t)n) != 0) count_corruption(w, c, buf, want, (size_t)n);
  if (c->send_off == 0) w->errors++; /* the server sent before it was asked to */
  uint64_t done_before = c->recv_off / msg_size;
  c->recv_off += (uint64_t)n;
  uint64_t done_after = c->recv_off / msg_size;
  if (ph != P_MEASURE) {
    c->opened_ns = now;
    return;
  }
  w->sink_bytes += (uint64_t)n;
  if (done_after > done_before) {
    /* Chunk inter-arrival: the first one of the window is timed from the window's first read. */
    for (uint64_t m = done_before; m < done_after; m++) hist_record(&w->hist, now - c->opened_ns);
    c->opened_ns = now;
  }
}

static void on_readable(struct worker *w, struct conn *c, uint8_t *buf, int ph, uint64_t now) {
  if (sink_mode) {
    on_sink_readable(w, c, buf, ph, now);
    return;
  }
  ssize_t n = recv(c->fd, buf, CHUNK, 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    close_conn(w, c);
    return;
  }
  const uint8_t *want = pattern + (c->seed + c->recv_off) % PLEN;
  if (memcmp(buf, want, (size_t)n) != 0) count_corruption(w, c, buf, want, (size_t)n);
  if (c->recv_off + (uint64_t)n > c->send_off) w->errors++; /* more came back than was sent */
  uint64_t done_before = c->recv_off / msg_size;
  c->recv_off += (uint64_t)n;
  uint64_t done_after = c->recv_off / msg_size;
  int completed = (int)(done_after - done_before);
  if (completed == 0) return;
  if (churn_mode && c->state == C_HANDSHAKE) {
    if (!c->established) {
      c->established = 1;
      atomic_fetch_add(&settled, 1);
    }
    churn_cycle(w, c, ph, now);
    return;
  }
  if (ph == P_MEASURE) {
    for (uint64_t m = done_before; m < done_after; m++) hist_record(&w->hist, now - c->sent_ns[m % (uint64_t)depth]);
    w->messages += (uint64_t)completed;
  }
  if (c->state == C_HANDSHAKE) {
    c->state = C_RUNNING;
    c->established = 1;
    w->in_progress--;
    atomic_fetch_add(&settled, 1);
    if (idle_mode || ph == P_CONNECT) return; /* start_load() sends its first messages */
    completed = depth;                        /* a straggler joins a load already running */
  }
  /* Closed loop: every completed message is replaced, all in one write. */
  if (ph != P_END && send_more(w, c, completed, now) < 0) close_conn(w, c);
}

/* The connect phase is over: give every established connection its `depth` messages. */
static void start_load(struct worker *w, uint64_t now) {
  for (int i = 0; i < w->nconns; i++) {
    struct conn *c = w->conns[i];
    if (sink_mode) {
      /* --sink: one byte says "start"; it always fits in an empty socket buffer. */
      if (c->state == C_RUNNING) {
        c->opened_ns = now;
        if (send(c->fd, "S", 1, MSG_NOSIGNAL) == 1) c->send_off = 1;
        else close_conn(w, c);
      }
      continue;
    }
    if (c->state == C_RUNNING && send_more(w, c, depth, now) < 0) close_conn(w, c);
  }
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  struct epoll_event events[512];
  uint8_t *buf = malloc(CHUNK);
  if (!buf) exit(1);
  int window = connect_window / nthreads > 0 ? connect_window / nthreads : 1;
  int started = 0;
  for (;;) {
    /* Open connections a few at a time, so the server's listen queue never overflows
     * (an overflow costs a one-second SYN retransmit, not an error). */
    while (w->next_open < w->nconns && w->in_progress < window) open_one(w);
    if (idle_mode && w->next_open == w->nconns && w->in_progress == 0) break;
    int n = epoll_wait(w->epfd, events, 512, 10);
    if (n < 0 && errno != EINTR) {
      perror("epoll_wait");
      exit(1);
    }
    /* Read after the wait, so what it returned is attributed to the phase it ends in. */
    int ph = atomic_load_explicit(&phase, memory_order_relaxed);
    if (ph == P_END) break;
    uint64_t now;
    if (!started && ph != P_CONNECT && !churn_mode) {
      started = 1;
      start_load(w, now_ns());
    }
    /* One clock read per event: batches can take long enough to skew latencies. */
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      uint32_t ev = events[i].events;
      if (c->state == C_CLOSED) continue;
      now = now_ns();
      if (c->state == C_CONNECTING) {
        if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(w, c, now);
        continue;
      }
      if ((ev & EPOLLOUT) && c->want_out && send_more(w, c, 0, now) < 0) {
        close_conn(w, c);
        continue;
      }
      if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(w, c, buf, ph, now);
    }
  }
  free(buf);
  return NULL;
}

/* Exit would reclaim all of this; freeing it keeps sanitizer builds quiet about leaks. */
static void release(struct conn *conns, uint64_t *stamps, struct worker *workers) {
  for (int i = 0; i < nconns; i++)
    if (conns[i].fd >= 0) close(conns[i].fd);
  for (int i = 0; i < nthreads; i++) {
    close(workers[i].epfd);
    free(workers[i].conns);
  }
  free(workers);
  free(stamps);
  free(conns);
  free(pattern);
  free(sink_pattern);
}

static int usage(void) {
  fprintf(stderr,
          "usage: load_generator --port P [--host 127.0.0.1] [--connections N] [--size S] [--depth D]\n"
          "         [--duration T] [--warmup W] [--threads K] [--connect-window C] [--connect-timeout S] [--idle | --churn | --sink]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--idle")) { idle_mode = 1; continue; }
    if (!strcmp(a, "--churn")) { churn_mode = 1; continue; }
    if (!strcmp(a, "--sink")) { sink_mode = 1; continue; }
    if (!v) return usage();
    i++;
    if (!strcmp(a, "--host")) host = v;
    else if (!strcmp(a, "--port")) port = atoi(v);
    else if (!strcmp(a, "--connections")) nconns = atoi(v);
    else if (!strcmp(a, "--size")) msg_size = (uint32_t)atol(v);
    else if (!strcmp(a, "--depth")) depth = atoi(v);
    else if (!strcmp(a, "--duration")) duration = atof(v);
    else if (!strcmp(a, "--warmup")) warmup = atof(v);
    else if (!strcmp(a, "--threads")) nthreads = atoi(v);
    else if (!strcmp(a, "--connect-window")) connect_window = atoi(v);
    else if (!strcmp(a, "--connect-timeout")) connect_timeout = atof(v);
    else return usage();
  }
  if (port <= 0 || port > 65535 || nconns < 1 || msg_size < 1 || msg_size > (1u << 26) || depth < 1 ||
      nthreads < 1 || nthreads > nconns || (idle_mode + churn_mode + sink_mode > 1) || duration <= 0 || warmup < 0 || connect_window < 1)
    return usage();
  target.sin_family = AF_INET;
  target.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &target.sin_addr) != 1) return usage();

  prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the harness */
  /* N sockets plus a few: take the hard limit if the soft one is short. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nconns + 64) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  /* Idle mode waits for these with sigwait; block them before threads inherit the mask. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (idle_mode) pthread_sigmask(SIG_BLOCK, &stop, NULL);

  pattern_init();
  if (sink_mode) sink_init();
  struct conn *conns = calloc((size_t)nconns, sizeof *conns);
  uint64_t *stamps = calloc((size_t)nconns * (size_t)depth, sizeof *stamps);
  struct worker *workers = calloc((size_t)nthreads, sizeof *workers);
  if (!conns || !stamps || !workers) return 1;
  for (int i = 0; i < nthreads; i++) {
    workers[i].index = i;
    workers[i].epfd = epoll_create1(EPOLL_CLOEXEC);
    workers[i].conns = calloc((size_t)nconns / (size_t)nthreads + 1, sizeof(struct conn *));
    if (workers[i].epfd < 0 || !workers[i].conns) return 1;
  }
  for (int i = 0; i < nconns; i++) {
    struct conn *c = &conns[i];
    c->fd = -1;
    c->seed = (uint32_t)(((uint64_t)i * 7919u) % PLEN); /* distinct streams per connection */
    c->last_bad = UINT64_MAX;
    c->sent_ns = stamps + (size_t)i * (size_t)depth;
    struct worker *w = &workers[i % nthreads];
    w->conns[w->nconns++] = c;
  }

  uint64_t t0 = now_ns();
  for (int i = 0; i < nthreads; i++)
    if (pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]) != 0) return 1;
  while (atomic_load(&settled) < nconns && (double)(now_ns() - t0) / 1e9 < connect_timeout) sleep_s(0.001);
  double connect_s = (double)(now_ns() - t0) / 1e9;
  int established = 0;

  if (idle_mode) {
    atomic_store(&phase, P_END); /* releases workers still waiting on stragglers */
    for (int i = 0; i < nthreads; i++) pthread_join(workers[i].tid, NULL);
    for (int i = 0; i < nconns; i++) established += conns[i].established;
    printf("{\"mode\":\"idle\",\"connections\":%d,\"established\":%d,\"connect_failures\":%d,\"connect_seconds\":%.3f}\n",
           nconns, established, nconns - established, connect_s);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    release(conns, stamps, workers);
    return 0;
  }

  fprintf(stderr, "phase warmup\n");
  atomic_store(&phase, P_WARMUP);
  sleep_s(warmup);
  uint64_t t_start = now_ns();
  atomic_store(&phase, P_MEASURE);
  fprintf(stderr, "phase measure\n");
  sleep_s(duration);
  uint64_t t_end = now_ns();
  atomic_store(&phase, P_END);
  fprintf(stderr, "phase end\n");
  for (int i = 0; i < nthreads; i++) pthread_join(workers[i].tid, NULL);

  uint64_t messages = 0, errors = 0, sink_bytes = 0;
  struct histogram all;
  hist_init(&all);
  for (int i = 0; i < nthreads; i++) {
    messages += workers[i].messages;
    errors += workers[i].errors;
    sink_bytes += workers[i].sink_bytes;
    hist_merge(&all, &workers[i].hist);
  }
  for (int i = 0; i < nconns; i++) established += conns[i].established;
  double secs = (double)(t_end - t_start) / 1e9;
  /* --sink: the figure is the bytes received; a "message" is msg_size of them. */
  if (sink_mode) messages = sink_bytes / msg_size;
  uint64_t bytes = sink_mode ? sink_bytes : messages * msg_size;
  printf("{\"mode\":\"%s\",\"connections\":%d,\"size\":%u,\"depth\":%d,\"threads\":%d,\"warmup\":%.3f,\"seconds\":%.4f,"
         "\"messages\":%llu,\"bytes\":%llu,\"msgs_per_sec\":%.1f,\"mb_per_sec\":%.3f,"
         "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f,"
         "\"errors\":%llu,\"connect_failures\":%d,\"connect_seconds\":%.3f}\n",
         churn_mode ? "churn" : sink_mode ? "sink" : "load", nconns, msg_size, depth, nthreads, warmup, secs, (unsigned long long)messages,
         (unsigned long long)bytes, (double)messages / secs, (double)bytes / secs / 1e6,
         hist_quantile(&all, 0.50) / 1e3, hist_quantile(&all, 0.90) / 1e3, hist_quantile(&all, 0.99) / 1e3,
         hist_quantile(&all, 0.999) / 1e3, (double)all.max / 1e3, hist_mean(&all) / 1e3,
         (unsigned long long)errors, nconns - established, connect_s);
  fflush(stdout);
  release(conns, stamps, workers);
  return errors == 0 && established == nconns ? 0 : 3;
}
