#!/usr/bin/env bash
# Builds the addon with IOREACTOR_PORTABLE_FALLBACKS (cmake-js, into build-portable/): the
# system-call paths macOS and the BSDs take (one recvmsg / sendmsg per datagram instead of
# recvmmsg / sendmmsg, fcntl(FD_CLOEXEC) on passed descriptors instead of MSG_CMSG_CLOEXEC,
# accept then fcntl instead of accept4; native/platform_paths.h lists them). Then runs the
# suites that drive those paths against it, so they are tested on Linux too.
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js rebuild --directory . --out build-portable --CDIOREACTOR_PORTABLE_FALLBACKS=ON >/dev/null
npm run build:ts >/dev/null

export IOREACTOR_ADDON="$PWD/build-portable/Release/ioreactor.node"
# The portable build must not call the Linux-only batch calls (a sign the define was lost).
if nm -D --undefined-only "$IOREACTOR_ADDON" | grep -E ' (recvmmsg|sendmmsg|accept4)(@|$)' >&2; then
  echo "test-portable: the addon in build-portable still calls Linux-only system calls" >&2
  exit 1
fi
npx vitest run test/datagram test/transport/descriptor-passing.test.ts "$@"
