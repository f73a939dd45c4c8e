#!/usr/bin/env bash
# Runs the jest suite on another Node.js release than the machine's, taken from the npm registry:
# the machines have only Node.js 20 and reach no other download site.
#
#   scripts/test-on-node.sh 24              # the newest 24.x
#   scripts/test-on-node.sh 24.22.3 -t slack  # one exact release; later arguments go to jest
#
# It installs `node-linux-<arch>@<version>` (the binary package that the registry's `node`
# package installs from its preinstall script; taking it directly avoids that nested npm install
# and install script, and it carries the newest patch releases) into
# ${XDG_CACHE_HOME:-~/.cache}/exchops-node/<version>, then runs node_modules' jest under that
# binary, with it first on PATH so every `node` a test spawns is the same release.
# It needs `npm ci` to have been run (with the machine's Node.js) first.
set -euo pipefail
cd "$(dirname "$0")/.."

spec="${1:?usage: scripts/test-on-node.sh MAJOR|VERSION [jest arguments...]}"
shift

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "test-on-node: no Node.js package for $(uname -m)" >&2 && exit 1 ;;
esac
pkg="node-linux-$arch"
cache="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/exchops-node"

# The newest release matching the spec; with no registry, the newest one already in the cache.
if resolved="$(npm view "$pkg@$spec" version --json 2>/dev/null)"; then
  version="$(printf '%s' "$resolved" | node -e '
    const v = [].concat(JSON.parse(require("node:fs").readFileSync(0, "utf8")));
    const key = (s) => s.split(".").map(Number);
    v.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    process.stdout.write(v[v.length - 1] ?? "");')"
elif printf '%s' "$resolved" | grep -q '"E404"'; then
  echo "test-on-node: no $pkg release matches '$spec'" >&2
  exit 1
else
  version="$(ls "$cache" 2>/dev/null | grep -E "^${spec//./\\.}(\.|$)" | sort -V | tail -n 1 || true)"
  [ -n "$version" ] || { echo "test-on-node: cannot resolve $pkg@$spec (registry unreachable?)" >&2; exit 1; }
  echo "test-on-node: registry unreachable, using the cached $version" >&2
fi
[ -n "$version" ] || { echo "test-on-node: no $pkg release matches '$spec'" >&2; exit 1; }

dir="$cache/$version"
bin="$dir/node_modules/$pkg/bin"
if [ ! -x "$bin/node" ]; then
  echo "test-on-node: installing $pkg@$version into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "$pkg@$version" >/dev/null
fi
node_bin="$bin/node"
"$node_bin" --version >/dev/null

[ -f node_modules/jest/bin/jest.js ] || { echo "test-on-node: run npm ci first" >&2; exit 1; }

# The native modules were installed by the machine's Node.js. They are Node-API builds, which
# load on any later release; check that before the suite rather than learning it from failed
# tests (msgpackr would even fall back to plain JavaScript without a word).
"$node_bin" -e '
  const path = require("node:path");
  require("tree-sitter");
  const grammar = path.dirname(require.resolve("tree-sitter-powershell/package.json"));
  require(require.resolve("node-gyp-build", { paths: [grammar] }))(grammar);
  require("msgpackr-extract");
  if (!require("msgpackr").isNativeAccelerationEnabled) throw new Error("msgpackr-extract not in use");
' || {
  echo "test-on-node: a native module does not load on Node.js $version (see above)" >&2
  exit 1
}

echo "test-on-node: jest on Node.js $("$node_bin" --version) ($node_bin)"
PATH="$bin:$PATH" exec "$node_bin" node_modules/jest/bin/jest.js "$@"
