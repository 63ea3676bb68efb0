#!/usr/bin/env bash
# AssemblyScript grains: the compiler `asc` from npm (pinned by package-lock.json, installed
# under target/tools/assemblyscript, never globally) builds each examples/assemblyscript/<name>/
# <name>.ts into a core module whose canonical ABI is written by hand in
# sdk-guest/assemblyscript; `wasm-tools component embed` adds the WIT and `component new` makes
# the component. It imports only granary:grain/host: no WASI, no adapter. Each grain becomes
# target/grains/assemblyscript/<name>.wasm, rebuilt only when its inputs changed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

# Node.js 20 or newer (assemblyscript 0.28 requires it).
node_ensure 20 0 assemblyscript
wasm_tools_ensure

# The compiler, as locked, in the project's own tools dir.
tools="$repo_root/target/tools/assemblyscript"
asc="$tools/node_modules/assemblyscript/bin/asc.js"
npm_tools_ensure "$here" "$tools" node_modules/assemblyscript/bin/asc.js assemblyscript

sdk="$repo_root/sdk-guest/assemblyscript"
out="$grains_out/assemblyscript"
work="$repo_root/target/guest-assemblyscript"
mkdir -p "$out" "$work"
for dir in "$here"/*/; do
  name=$(basename "$dir")
  [ -f "$dir$name.ts" ] || die "expected the grain's entry module at $dir$name.ts"
  wasm="$out/$name.wasm"
  # Rebuild when any input is newer than the component: the grain, the SDK, the WIT, the
  # locked compiler, this script.
  if [ -f "$wasm" ] && [ -z "$(find "$dir" "$sdk" "$repo_root/wit/grain.wit" "$here/package-lock.json" "$here/build.sh" \
    -newer "$wasm" -print -quit)" ]; then
    echo "$wasm ($(stat -c %s "$wasm") bytes, up to date)"
    continue
  fi
  say "asc $name"
  core="$work/$name.core.wasm"
  # From the repository root, so that the abort handler's internal name is the SDK's path.
  # --use abort=... replaces the env.abort import that a component may not have.
  (cd "$repo_root" && node "$asc" "examples/assemblyscript/$name/$name.ts" -O3 --runtime incremental \
    --use abort=sdk-guest/assemblyscript/abort/grainAbort -o "$core") \
    || die "asc failed for examples/assemblyscript/$name/$name.ts"
  # AssemblyScript names an export after its function: give receive_reminder and receive_event
  # (and their cabi_post_) the canonical ABI's names, receive-reminder and receive-event.
  wasm-tools print "$core" | sed -E 's/\(export "(cabi_post_)?receive_(reminder|event)"/(export "\1receive-\2"/' \
    | wasm-tools parse -o "$work/$name.renamed.wasm"
  wasm-tools component embed "$repo_root/wit/grain.wit" --world grain "$work/$name.renamed.wasm" -o "$work/$name.embedded.wasm"
  wasm-tools component new "$work/$name.embedded.wasm" -o "$wasm.tmp"
  wasm-tools validate "$wasm.tmp" || die "wasm-tools made an invalid component for $name"
  mv "$wasm.tmp" "$wasm"
  echo "$wasm ($(stat -c %s "$wasm") bytes)"
done
