#!/usr/bin/env bash
# ThreadSanitizer over poll(2)'s watcher thread, the one helper thread the native core has.
#
# Node itself is not built with TSan and cannot load a TSan-instrumented addon, so the check is
# the standalone Poller contract test (test/native/poller_test.cc) built with -fsanitize=thread
# together with the backends it drives: every contract check for the platform backend and
# poll(2), then a stress of the watcher (open/arm/close cycles, and many add/modify/wait/remove
# cycles while it is parked in poll(2)). Any TSan report ends the run with exit code 66; a
# failed contract check ends it with 1. Takes a few seconds.
#   scripts/test-tsan.sh [--stress ROUNDS]   (default 20000 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."

# The compiler: $CXX, else c++ (clang on macOS), else g++.
cxx=${CXX:-$(command -v c++ || command -v g++ || echo c++)}
case "$(uname -s)" in
  Linux) platform=native/poller_epoll.cc ;;
  *) platform=native/poller_kqueue.cc ;;
esac
out=build/native-tests
binary=$out/poller_test_tsan
mkdir -p "$out"

"$cxx" -std=c++17 -Wall -Wextra -O1 -g -fsanitize=thread -fno-omit-frame-pointer \
  test/native/poller_test.cc "$platform" native/poller_poll.cc -o "$binary" -lpthread
if ! nm "$binary" | grep __tsan_init >/dev/null; then
  echo "test-tsan: $binary is not instrumented" >&2
  exit 1
fi

args=(--stress 20000)
[ $# -gt 0 ] && args=("$@")

# Some kernels place mappings where TSan's shadow memory must go (high vm.mmap_rnd_bits);
# running without address randomisation avoids that and changes nothing else for this test.
run=("$binary")
if [ "$(uname -s)" = Linux ] && command -v setarch >/dev/null; then
  run=(setarch "$(uname -m)" -R "$binary")
fi

log=$out/poller_test_tsan.log
status=0
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" LD_PRELOAD="" \
  "${run[@]}" "${args[@]}" >"$log" 2>&1 || status=$?
grep -v '^ok' "$log" || true
if grep -q 'ThreadSanitizer' "$log"; then
  echo "test-tsan: ThreadSanitizer reported a problem (full output in $log)" >&2
  [ "$status" -ne 0 ] || status=66
fi
if [ "$status" -ne 0 ]; then
  echo "test-tsan: FAILED (exit $status)" >&2
  exit "$status"
fi
echo "test-tsan: $(grep -c '^ok' "$log") checks passed under ThreadSanitizer, no reports"
