#!/usr/bin/env bash
# The package as a user gets it: `npm pack`'s contents (what a user needs and nothing else), the
# published types as arethetypeswrong sees them, the addon loaded from a prebuild made with
# prebuildify (no build/ folder, no compiler), and the tarball installed into an empty project where the CommonJS and ES module examples serve.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build:ts >/dev/null
rm -rf prebuilds
npm run prebuildify >/dev/null 2>&1
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

tarball="$work/$(npm pack --silent --pack-destination "$work")"
tar -tzf "$tarball" | sed 's|^package/||' | sort >"$work/contents"
fail() { echo "test-package: $*" >&2; exit 1; }
for needed in package.json README.md lib/index.js lib/index.mjs lib/index.d.ts lib/index.d.mts binding.gyp CMakeLists.txt native/poller.h bench/run.js; do
  grep -qx "$needed" "$work/contents" || fail "the package lacks $needed"
done
grep -q '^prebuilds/.*\.node$' "$work/contents" || fail "the package has no prebuild"
if grep -E '^(test|src|build|build-[a-z]+|scripts|\.ci|examples|bench/http|docs)/|\.tgz$|^bench/.*\.(json|svg)$|^native/\.clang-format$' "$work/contents"; then
  fail "the package holds files a user does not need (above)"
fi
# The published types as each resolution sees them (node10, node16 from CommonJS and from an ES
# module, bundler): arethetypeswrong reads the tarball, no registry needed.
npx --no-install attw "$tarball" || fail "arethetypeswrong found problems in the published types (above)"
echo "package: $(wc -l <"$work/contents") files, $(du -k "$tarball" | cut -f1) KiB, prebuild $(grep '^prebuilds/' "$work/contents" | tr '\n' ' ')"

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --no-save "$tarball" >/dev/null
[ ! -e node_modules/ioreactor/build ] || fail "the install compiled the addon instead of loading the prebuild"
cp "$OLDPWD/examples/echo-server.js" "$OLDPWD/examples/echo-server.mjs" .

# Each example, run as a user would (`node echo-server.js`), must answer an echo.
for example in echo-server.js echo-server.mjs; do
  PORT=0 node "$example" >"$work/out" &
  server=$!
  for _ in $(seq 100); do grep -q 'echo server on' "$work/out" && break; sleep 0.1; done
  port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out")
  [ -n "$port" ] || fail "$example did not start"
  reply=$(node -e "
    const s = require('node:net').connect($port, '127.0.0.1', () => s.write('hello ioreactor'));
    s.on('data', (d) => { process.stdout.write(d); s.end(); });
    setTimeout(() => process.exit(1), 5000).unref();")
  [ "$reply" = "hello ioreactor" ] || fail "$example answered '$reply'"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
  echo "$example: echoed from the installed package (prebuild, no build/)"
done
