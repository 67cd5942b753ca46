// Drives the Poller contract (native/poller.h) directly, without Node: add, modify, remove,
// wait with a timeout, each trigger mode, one-shot per descriptor, trigger changes through
// Modify and a wait interrupted by a signal, for the platform backend and poll(2); then a
// stress of poll(2)'s watcher thread (scripts/test-tsan.sh runs this under ThreadSanitizer).
// Built and run by test/native/poller.test.ts with the platform's backend file (the same
// file-list rule as the addon's build). Prints one "ok"/"not ok" line per check; exits 1 if
// any failed.
//   --no-notify   skip notify-descriptor checks (for kqueue emulations whose descriptor
//                 cannot itself be polled)
//   --stress N    rounds of the poll(2) watcher stress (default 2000)
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

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

// One-shot disarms the descriptor, not one direction of it: after a report nothing more is
// reported, whichever direction becomes ready, until Modify re-arms it.
void TestOneshotPerDescriptor(std::unique_ptr<Poller> (*make)()) {
  std::unique_ptr<Poller> p = make();
  current = std::string(p->name()) + "-oneshot-per-descriptor";
  if (!p->Supports(Trigger::kOneshot)) return;
  Check(p->Open() == 0, "open");
  Pair pair;
  const uint64_t token = (uint64_t{9} << 32) | 5;
  int count = 0;
  // Writable at once, readable only later: the directions become ready at different times.
  Check(p->Add(pair.a, token, kInterestRead | kInterestWrite, Trigger::kOneshot) == 0, "add for reading and writing");
  uint32_t r = ReadyFor(*p, token, 1000, &count);
  Check(count == 1 && (r & kReadyWrite) != 0 && (r & kReadyRead) == 0, "one report: writable");
  Send(pair.b, "x");
  r = ReadyFor(*p, token, 100, &count);
  Check(count == 0, "the other direction becoming ready is not reported before re-arm");
  r = ReadyFor(*p, token, 50, &count);
  Check(count == 0, "nor on a later wait");

  Check(p->Modify(pair.a, token, kInterestRead | kInterestWrite, Trigger::kOneshot) == 0, "modify re-arms");
  r = ReadyFor(*p, token, 1000, &count);
  Check(count == 1, "exactly one report after re-arm");
  Check((r & kReadyRead) != 0, "it includes the data that arrived while disarmed");
  r = ReadyFor(*p, token, 100, &count);
  Check(count == 0, "then silent again");
  if (count != 0) std::printf("# ready %#x\n", r);

  // Both directions ready when armed: still one report (kqueue folds its two filters into it).
  Check(p->Modify(pair.a, token, kInterestRead | kInterestWrite, Trigger::kOneshot) == 0, "modify re-arms again");
  r = ReadyFor(*p, token, 1000, &count);
  Check(count == 1 && (r & (kReadyRead | kReadyWrite)) == (kReadyRead | kReadyWrite), "one report carrying both directions");
  r = ReadyFor(*p, token, 100, &count);
  Check(count == 0, "and nothing after it");
  Check(p->Remove(pair.a, kInterestRead | kInterestWrite) == 0, "remove");
  p->Close();
}

// Modify may change the trigger, not only the interest: each change must take effect (kqueue
// keeps a filter's old flags when it is added again, so it has to delete and re-add).
void TestTriggerChange(std::unique_ptr<Poller> (*make)()) {
  std::unique_ptr<Poller> p = make();
  current = std::string(p->name()) + "-trigger-change";
  Check(p->Open() == 0, "open");
  Pair pair;
  const uint64_t token = (uint64_t{3} << 32) | 8;
  int count = 0;
  Check(p->Modify(pair.a, token, kInterestRead, Trigger::kLevel) == -ENOENT, "modify before add fails with ENOENT");
  Check(p->Add(pair.a, token, kInterestRead, Trigger::kLevel) == 0, "add level for reading");
  if (!p->Supports(Trigger::kEdge)) {
    Check(p->Modify(pair.a, token, kInterestRead, Trigger::kEdge) == -EINVAL, "modify to an unsupported trigger is refused with EINVAL");
    p->Close();
    return;
  }
  Send(pair.b, "x");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "level: readable");
  Check(ReadyFor(*p, token, 50, &count) & kReadyRead, "level: unread data reported again");

  Check(p->Modify(pair.a, token, kInterestRead, Trigger::kEdge) == 0, "modify level -> edge");
  ReadyFor(*p, token, 100, &count);  // the change itself may count as an edge: at most one report
  ReadyFor(*p, token, 50, &count);
  Check(count == 0, "edge: unread data is no longer reported again");
  Send(pair.b, "y");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "edge: new data is a new edge");

  Check(p->Modify(pair.a, token, kInterestRead, Trigger::kOneshot) == 0, "modify edge -> one-shot");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "one-shot: unread data reported once");
  Send(pair.b, "z");
  ReadyFor(*p, token, 100, &count);
  Check(count == 0, "one-shot: new data is not reported before re-arm");

  Check(p->Modify(pair.a, token, kInterestRead, Trigger::kLevel) == 0, "modify one-shot -> level");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "level again: readable");
  Check(ReadyFor(*p, token, 50, &count) & kReadyRead, "level again: reported again");
  Check(ReadyFor(*p, token, 50, &count) & kReadyRead, "level again: and again");

  Check(p->Modify(pair.a, token, kInterestRead, Trigger::kOneshot) == 0, "modify level -> one-shot");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "one-shot: reported once");
  ReadyFor(*p, token, 50, &count);
  Check(count == 0, "one-shot: then disarmed");
  Check(p->Modify(pair.a, token, kInterestRead, Trigger::kEdge) == 0, "modify disarmed one-shot -> edge");
  ReadyFor(*p, token, 100, &count);
  Send(pair.b, "w");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "edge: new data reported");
  Send(pair.b, "v");
  Check(ReadyFor(*p, token, 1000, &count) & kReadyRead, "edge: and the next new data too (not one-shot)");
  Check(p->Remove(pair.a, kInterestRead) == 0, "remove");
  p->Close();
}

volatile sig_atomic_t signals_seen = 0;
void OnSignal(int) { signals_seen = signals_seen + 1; }

// A signal during Wait (EINTR) must not restart the whole timeout: the wait lasts about its
// timeout, not the timeout plus the time that had passed before the signal.
void TestWaitAfterSignal(std::unique_ptr<Poller> (*make)()) {
  std::unique_ptr<Poller> p = make();
  current = std::string(p->name()) + "-eintr";
  Check(p->Open() == 0, "open");
  Pair pair;
  p->Add(pair.a, 1, kInterestRead, Trigger::kLevel);
  struct sigaction sa, old;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: the wait sees EINTR
  sigaction(SIGUSR1, &sa, &old);
  signals_seen = 0;
  constexpr int kTimeoutMs = 500;
  constexpr int kSignalAtMs = 250;
  const pthread_t waiter = pthread_self();
  std::thread signaller([waiter] {
    usleep(kSignalAtMs * 1000);
    pthread_kill(waiter, SIGUSR1);
  });
  ReadyEvent ev[4];
  const double start = NowMs();
  const int n = p->Wait(ev, 4, kTimeoutMs);
  const double elapsed = NowMs() - start;
  signaller.join();
  sigaction(SIGUSR1, &old, nullptr);
  std::printf("# waited %.1f ms for a %d ms timeout, signalled at %d ms\n", elapsed, kTimeoutMs, kSignalAtMs);
  Check(signals_seen == 1, "the signal arrived during the wait");
  Check(n == 0, "the wait ends with no report and no error");
  Check(elapsed >= kTimeoutMs - 2, "it lasts at least its timeout");
  // A restarted timeout would end at kSignalAtMs + kTimeoutMs; the bound sits halfway, which
  // leaves 125 ms for a busy machine's scheduling delays.
  Check(elapsed < kTimeoutMs + kSignalAtMs / 2, "it does not start its timeout again after the signal");
  p->Close();
}

// poll(2)'s watcher thread blocks every signal: a signal sent to the process while the only
// thread accepting it has it blocked stays pending instead of running on the watcher.
void TestWatcherSignals() {
  current = "poll-watcher-signals";
  struct sigaction sa, old;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, &old);
  // Opened while this thread still accepts SIGUSR1, so the watcher cannot owe its mask to ours.
  std::unique_ptr<Poller> p = NewPollPoller();
  Check(p->Open() == 0, "open");
  p->ArmNotify();  // the watcher is parked in poll(2)
  sigset_t usr1, previous;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, &previous);
  signals_seen = 0;
  kill(getpid(), SIGUSR1);
  usleep(50 * 1000);
  Check(signals_seen == 0, "a process signal is not handled on the watcher");
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);  // the pending signal is delivered here
  Check(signals_seen == 1, "it stays pending for a thread that accepts it");
  sigaction(SIGUSR1, &old, nullptr);
  p->Close();
}

// poll(2)'s watcher thread against the loop thread: open/arm/close cycles, then many
// add/modify/wait/remove cycles while the watcher is parked in poll(2) over its snapshot, each
// change interrupting it. Meant to be run under ThreadSanitizer as well (scripts/test-tsan.sh).
void TestWatcherStress(int rounds) {
  current = "poll-watcher-stress";
  bool ok = true;
  for (int i = 0; i < 50; i++) {
    std::unique_ptr<Poller> p = NewPollPoller();
    ok &= p->Open() == 0;
    if (i % 2 == 1) p->ArmNotify();  // close with the watcher parked in poll(2), or still waiting to be armed
    p->Close();
  }
  Check(ok, "50 open / arm / close cycles");

  std::unique_ptr<Poller> p = NewPollPoller();
  Check(p->Open() == 0, "open");
  constexpr int kPairs = 16;
  std::unique_ptr<Pair[]> pairs(new Pair[kPairs]);
  p->ArmNotify();
  int errors = 0;
  int reports = 0;
  for (int round = 0; round < rounds; round++) {
    Pair& pair = pairs[round % kPairs];
    const uint64_t token = static_cast<uint64_t>(round);
    errors += p->Add(pair.a, token, kInterestRead, Trigger::kLevel) != 0;
    if (round % 3 == 0) Send(pair.b, "s");
    errors += p->Modify(pair.a, token, kInterestRead | (round % 2 ? uint32_t{kInterestWrite} : 0u), Trigger::kLevel) != 0;
    ReadyEvent ev[kPairs];
    const int n = p->Wait(ev, kPairs, 0);
    if (n < 0) errors++;
    else reports += n;
    // The loop's side: when the watcher has said "ready", drain its pipe and re-arm it.
    if (NotifyReadable(*p, 0)) p->ArmNotify();
    Drain(pair.a);
    errors += p->Remove(pair.a, kInterestRead) != 0;
  }
  Check(errors == 0, "add / modify / wait / remove cycles while the watcher polls");
  Check(reports > 0, "the cycles saw reports");
  Check(p->Add(pairs[0].a, 99, kInterestRead, Trigger::kLevel) == 0, "add after the stress");
  p->ArmNotify();
  Send(pairs[0].b, "w");
  Check(NotifyReadable(*p, 1000), "the watcher still wakes the loop");
  p->Close();
}

void TestBackend(std::unique_ptr<Poller> (*make)(), bool notify) {
  TestTrigger(make, Trigger::kLevel, "level", notify);
  TestTrigger(make, Trigger::kEdge, "edge", notify);
  TestTrigger(make, Trigger::kOneshot, "oneshot", notify);
  TestOneshotPerDescriptor(make);
  TestTriggerChange(make);
  TestWaitAfterSignal(make);
  TestMany(make);
}

}  // namespace

int main(int argc, char** argv) {
  bool notify = true;
  int stress_rounds = 2000;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--no-notify") == 0) notify = false;
    if (std::strcmp(argv[i], "--stress") == 0 && i + 1 < argc) stress_rounds = std::atoi(argv[++i]);
  }
  TestBackend(NewPlatformPoller, notify);
  TestBackend(NewPollPoller, true);
  TestWatcherSignals();
  TestWatcherStress(stress_rounds);
  std::printf("%s\n", failures == 0 ? "all passed" : "FAILED");
  return failures == 0 ? 0 : 1;
}
