/* The harness's side channel to a C echo server: it holds the server's stdin and writes a
 * line "stats" to ask for the counters, which the server answers with "stats {json}" on
 * stdout. Shared by c_echo_server.c and c_udp_echo_server.c. */
#ifndef IOREACTOR_BENCH_STATS_REQUESTS_H
#define IOREACTOR_BENCH_STATS_REQUESTS_H

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Reads what stdin holds and calls answer() for each "stats" line. One read per report (stdin
 * stays blocking: it may be a terminal shared with a shell, and level-triggered epoll reports
 * again if more is left). At EOF (the harness closed its end) or an error, stdin leaves the
 * epoll set epfd; signals still stop the server. */
static void read_stats_requests(int epfd, void (*answer)(void)) {
  static char line[256];
  static size_t used;
  ssize_t n = read(0, line + used, sizeof line - 1 - used);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, 0, NULL);
    return;
  }
  used += (size_t)n;
  line[used] = 0;
  char *nl;
  while ((nl = strchr(line, '\n')) != NULL) {
    *nl = 0;
    if (!strcmp(line, "stats")) answer();
    size_t rest = used - (size_t)(nl + 1 - line);
    memmove(line, nl + 1, rest + 1);
    used = rest;
  }
  if (used == sizeof line - 1) used = 0; /* an overlong line: drop it */
}

#endif
