#!/usr/bin/env bash
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer (cmake-js, into
# build-asan/) and runs the test suite against it. Node itself is not instrumented, so the
# sanitizer runtime is preloaded into it; leak detection is off because Node and V8 keep
# allocations alive until exit by design (descriptor leaks are checked by the suite itself).
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js rebuild --directory . --out build-asan --CDIOREACTOR_SANITIZE=ON >/dev/null

# The sanitizer runtimes of the compiler CMake built with ($CXX, else g++). GCC's names, and
# LD_PRELOAD: this script is for Linux.
cxx=${CXX:-g++}
asan=$("$cxx" -print-file-name=libasan.so)
ubsan=$("$cxx" -print-file-name=libubsan.so)
for lib in "$asan" "$ubsan"; do
  if [ ! -e "$lib" ]; then echo "test-asan: $cxx has no $lib (set CXX to a GCC with the sanitizer runtimes)" >&2; exit 1; fi
done
npm run build:ts >/dev/null

export IOREACTOR_ADDON="$PWD/build-asan/Release/ioreactor.node"
export LD_PRELOAD="$asan $ubsan"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Only the suites that drive native code; the pure TypeScript suites gain nothing here.
if ! nm "$IOREACTOR_ADDON" | grep __asan_init >/dev/null; then echo "the addon in build-asan is not instrumented" >&2; exit 1; fi
# The end-to-end stream test moves 1 GiB per variant by default; a tenth shows the same under ASan.
export IOREACTOR_STREAM_MIB=${IOREACTOR_STREAM_MIB:-96}
npx vitest run test/reactor test/native test/transport test/datagram test/process "$@"
