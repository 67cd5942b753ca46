#!/usr/bin/env bash
# Valgrind memcheck over the native core: runs test/fixtures/valgrind-workload.js (2,000 echo
# connections through an ioreactor server and ioreactor clients on every backend x trigger,
# 4,000 datagrams echoed over UDP and UNIX datagram ports, descriptors passed over UNIX streams,
# worker termination mid-batch a few times, dropped reactors collected) under memcheck, and
# fails on any memory error or definite leak. Installs nothing: valgrind must be on PATH
# (Debian: apt-get install -y valgrind). The addon is the node-gyp build in build/Release, or
# IOREACTOR_ADDON. Node runs --jitless: no JIT code for valgrind to re-translate, so no
# --smc-check needed, and the run stays within a few minutes.
# Suppressions (scripts/valgrind-node.supp) cover Node/V8 noise only, never the addon's frames.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
  echo "test-valgrind: valgrind is not installed (apt-get install -y valgrind)" >&2
  exit 1
fi
export IOREACTOR_ADDON="${IOREACTOR_ADDON:-$PWD/build/Release/ioreactor.node}"
if [ ! -f "$IOREACTOR_ADDON" ]; then
  echo "test-valgrind: no addon at $IOREACTOR_ADDON (build it: npx node-gyp rebuild)" >&2
  exit 1
fi
npm run build:ts >/dev/null

log="${IOREACTOR_VALGRIND_LOG:-$(mktemp -t ioreactor-valgrind.XXXXXX)}"
start=$(date +%s)
status=0
# Under valgrind the threads take turns; a longer spin inside dataReceived keeps the worker
# there when terminate() arrives (the scenario is about terminating mid-batch).
IOREACTOR_TERMINATION_SPIN_US="${IOREACTOR_TERMINATION_SPIN_US:-20000}" \
valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --suppressions=scripts/valgrind-node.supp --fair-sched=yes \
  --num-callers=40 --log-file="$log" \
  node --jitless --expose-gc test/fixtures/valgrind-workload.js || status=$?
elapsed=$(( $(date +%s) - start ))

grep -E 'ERROR SUMMARY|definitely lost:|indirectly lost:' "$log" | sed 's/^==[0-9]*== */memcheck: /' || true
if [ "$status" -ne 0 ]; then
  echo "--- memcheck reports (full log: $log) ---"
  # Every report block, from its first line to the blank line after its stack.
  awk '/^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination|Argument|.*definitely lost in loss record)/{p=1} p{print} /^==[0-9]+== $/{p=0}' "$log" | head -200
fi
echo "test-valgrind: exit $status after ${elapsed}s"
exit "$status"
