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

# What the build above cannot reach: the branches for platforms without MSG_NOSIGNAL and
# MSG_CMSG_CLOEXEC and with SO_NOSIGPIPE (macOS). Each file of the datagram and
# descriptor-passing code is compiled for syntax and types only, with those macros removed after
# the system headers and __linux__ undefined. Nothing here runs; the kqueue poller itself needs
# <sys/event.h> (IOREACTOR_LIBKQUEUE, test/native/poller.test.ts).
syntax="$PWD/build-portable/syntax"
mkdir -p "$syntax"
node_include=$(node -p "require('path').resolve(process.execPath, '..', '..', 'include', 'node')")
napi_include=$(node -p "require('node-addon-api').include_dir")
for file in socket_ops datagram_ops descriptor_passing reactor_core_datagrams reactor_core_descriptors binding_reactor_datagrams binding; do
  printf '#include <sys/socket.h>\n#undef MSG_NOSIGNAL\n#undef MSG_CMSG_CLOEXEC\n#define SO_NOSIGPIPE 0x1022\n#include "%s"\n' \
    "$PWD/native/$file.cc" >"$syntax/$file.cc"
  "${CXX:-g++}" -std=c++17 -Wall -Wextra -Werror -fsyntax-only -U__linux__ -D_GNU_SOURCE -DNAPI_VERSION=8 \
    -DNAPI_DISABLE_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -I"$node_include" -I"$napi_include" \
    -Inative "$syntax/$file.cc"
done
echo "test-portable: the non-Linux branches of the datagram and descriptor-passing code compile"

npx vitest run test/datagram test/transport/descriptor-passing.test.ts test/transport/descriptor-cloexec.test.ts "$@"
