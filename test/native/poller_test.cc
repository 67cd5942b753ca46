// Drives the Poller contract (native/poller.h) directly, without Node: add, modify, remove,
// wait with a timeout, and each trigger mode, for the platform backend and poll(2).
// Built and run by test/native/poller.test.ts with the platform's backend file (the same
// file-list rule as the addon's build). Prints one "ok"/"not ok" line per check; exits 1 if
// any failed.
//   --no-notify   skip notify-descriptor checks (for kqueue emulations whose descriptor
//                 cannot itself be polled)
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "../../native/poller.h"

using namespace ioreactor;

namespace {

int failures = 0;
std::string current;

void Check(bool ok, const char* what) {
  std::printf("%s - %s: %s\n", ok ? "ok" : "not ok", current.c_str(), what);
  if (!ok) failures++;
}

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct Pair {
  int a = -1, b = -1;
  Pair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0) {
      a = fds[0];
      b = fds[1];
    }
  }
  ~Pair() {
    close(a);
    close(b);
  }
};

void Send(int fd, const char* text) {
  ssize_t n = write(fd, text, std::strlen(text));
  (void)n;
}

void Drain(int fd) {
  char buf[4096];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

// Waits for up to timeout_ms and returns the reports for `token` only.
uint32_t ReadyFor(Poller& p, uint64_t token, int timeout_ms, int* count) {
  ReadyEvent ev[16];
  uint32_t ready = 0;
  *count = 0;
  int n = p.Wait(ev, 16, timeout_ms);
  for (int i = 0; i < n; i++) {
    if (ev[i].token == token) {
      ready |= ev[i].ready;
      (*count)++;
    }
  }
  return ready;
}

bool NotifyReadable(Poller& p, int timeout_ms) {
  pollfd pfd{p.notify_fd(), POLLIN, 0};
  return ::poll(&pfd, 1, timeout_ms) == 1;
}

void TestTrigger(std::unique_ptr<Poller> (*make)(), Trigger trigger, const char* trigger_name, bool notify) {
  std::unique_ptr<Poller> p = make();
  current = std::string(p->name()) + "-" + trigger_name;
  if (!p->Supports(trigger)) {
    Pair pair;
    Check(p->Open() == 0 && p->Add(pair.a, 1, kInterestRead, trigger) == -EINVAL, "unsupported trigger is refused with EINVAL");
    p->Close();
    return;
  }
  Check(p->Open() == 0, "open");
  Pair pair;
  const uint64_t token = (uint64_t{7} << 32) | 3;  // generation 7, slot 3: travels intact
  int count = 0;
  Check(p->Add(pair.a, token, kInterestRead, trigger) == 0, "add for reading");

  double start = NowMs();
  Check(ReadyFor(*p, token, 60, &count) == 0 && count == 0, "nothing reported before data");
  Check(NowMs() - start >= 50, "wait honours its timeout");

  p->ArmNotify();
  Send(pair.b, "x");
  if (notify) Check(NotifyReadable(*p, 1000), "notify descriptor becomes readable");
  uint32_t r = ReadyFor(*p, token, 1000, &count);
  Check((r & kReadyRead) != 0, "readable after the peer writes, with the registered token");

  // Without reading: level reports again; edge and one-shot do not.
  r = ReadyFor(*p, token, 50, &count);
  if (trigger == Trigger::kLevel) Check((r & kReadyRead) != 0, "level reports unread data again");
  else Check(count == 0, "no second report for unread data");

  if (trigger == Trigger::kEdge) {
    Send(pair.b, "y");
    Check((ReadyFor(*p, token, 1000, &count) & kReadyRead) != 0, "edge reports new data (a new edge)");
  }
  if (trigger == Trigger::kOneshot) {
    Send(pair.b, "y");
    Check(ReadyFor(*p, token, 50, &count) == 0 && count == 0, "one-shot stays disarmed after a report");
    Check(p->Modify(pair.a, token, kInterestRead, trigger) == 0, "modify re-arms");
    Check((ReadyFor(*p, token, 1000, &count) & kReadyRead) != 0, "reported again after re-arm");
  }
  Drain(pair.a);

  int rc = p->Modify(pair.a, token, kInterestWrite, trigger);
  if (rc != 0) std::printf("# modify returned %d\n", rc);
  Check(rc == 0, "modify to write interest");
  r = ReadyFor(*p, token, 1000, &count);
  Check((r & kReadyWrite) != 0 && (r & kReadyRead) == 0, "writable, and no longer watched for reads");

  Check(p->Modify(pair.a, token, kInterestRead, trigger) == 0, "modify back to read interest");
  shutdown(pair.b, SHUT_WR);
  r = ReadyFor(*p, token, 1000, &count);
  Check((r & kReadyRead) != 0, "peer half-close reports readable (EOF)");
  if (std::strcmp(p->name(), "poll") != 0) Check((r & kReadyReadHangup) != 0, "peer half-close reports read hang-up");

  Check(p->Remove(pair.a, kInterestRead) == 0, "remove");
  Check(ReadyFor(*p, token, 50, &count) == 0 && count == 0, "nothing reported after remove");
  p->Close();
  p->Close();
  Check(true, "close twice is safe");
}

void TestMany(std::unique_ptr<Poller> (*make)()) {
  std::unique_ptr<Poller> p = make();
  current = std::string(p->name()) + "-many";
  Check(p->Open() == 0, "open");
  constexpr int kPairs = 600;
  std::unique_ptr<Pair[]> pairs(new Pair[kPairs]);
  for (int i = 0; i < kPairs; i++) p->Add(pairs[i].a, static_cast<uint64_t>(i), kInterestRead, Trigger::kLevel);
  for (int i = 0; i < kPairs; i += 3) Send(pairs[i].b, "z");
  // Level reports in batches of at most `max` until each ready descriptor has been seen.
  bool seen[kPairs] = {};
  int distinct = 0;
  for (int round = 0; round < 20 && distinct < kPairs / 3; round++) {
    ReadyEvent ev[64];
    int n = p->Wait(ev, 64, 100);
    Check(n <= 64, "a batch never exceeds max");
    for (int i = 0; i < n; i++) {
      int idx = static_cast<int>(ev[i].token);
      if (!seen[idx]) {
        seen[idx] = true;
        distinct++;
        Drain(pairs[idx].a);
      }
    }
  }
  Check(distinct == kPairs / 3, "every ready descriptor among 600 is reported");
  bool wrong = false;
  for (int i = 0; i < kPairs; i++) wrong |= seen[i] != (i % 3 == 0);
  Check(!wrong, "no idle descriptor is reported");
  p->Close();
}

void TestBackend(std::unique_ptr<Poller> (*make)(), bool notify) {
  TestTrigger(make, Trigger::kLevel, "level", notify);
  TestTrigger(make, Trigger::kEdge, "edge", notify);
  TestTrigger(make, Trigger::kOneshot, "oneshot", notify);
  TestMany(make);
}

}  // namespace

int main(int argc, char** argv) {
  bool notify = !(argc > 1 && std::strcmp(argv[1], "--no-notify") == 0);
  TestBackend(NewPlatformPoller, notify);
  TestBackend(NewPollPoller, true);
  std::printf("%s\n", failures == 0 ? "all passed" : "FAILED");
  return failures == 0 ? 0 : 1;
}
