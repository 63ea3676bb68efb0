#!/usr/bin/env bash
# JavaScript grains: componentize-js (SpiderMonkey/StarlingMonkey snapshotted with wizer) from
# npm, pinned by package-lock.json and installed under target/tools/js (never globally).
# Each examples/js/<name>/<name>.js becomes target/grains/js/<name>.wasm. The grains import
# sdk-guest/js/granary.js by relative path, which componentize-js resolves at build time
# because it runs from the repository root.
#
# A grain is built against wit/grain.wit, world `grain`, unless its directory holds a file
# `world`: `DIR WORLD` builds it against wit/DIR, world WORLD (examples/js/counter-caller/world
# reads `typed-counter counter-caller`); a lone `DIR` means world DIR too. A change to that
# WIT rebuilds the grain.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

# Node 20.19+ (componentize-js 0.23's dependencies need it; Debian trixie has 20.19).
node_ensure 20 19 componentize-js
wasm_tools_ensure

# componentize-js and what it needs, as locked, in the project's own tools dir.
tools="$repo_root/target/tools/js"
cli="$tools/node_modules/@bytecodealliance/componentize-js/src/cli.js"
npm_tools_ensure "$here" "$tools" node_modules/@bytecodealliance/componentize-js/src/cli.js componentize-js

# Everything a grain is built from: a change to any of these rebuilds it.
shared_inputs=("$repo_root/wit/grain.wit" "$here/package-lock.json" "$here/build.sh" "$repo_root"/sdk-guest/js/*.js)

out="$grains_out/js"
mkdir -p "$out"
# componentize-js works in $TMPDIR and leaves its files there when it fails: keep them in target/.
scratch="$repo_root/target/guest-js/tmp"
for dir in "$here"/*/; do
  name=$(basename "$dir")
  [ "$name" != node_modules ] || continue
  source="$dir$name.js"
  [ -f "$source" ] || die "expected the grain's module at $source"
  wasm="$out/$name.wasm"
  # The WIT (relative to the repository root) and world the grain is built against.
  wit=wit/grain.wit world=grain inputs=()
  if [ -f "${dir}world" ]; then
    read -r wit_dir world _ <"${dir}world" || true
    [ -n "$wit_dir" ] || die "${dir}world is empty: expected \`DIR [WORLD]\` (wit/DIR, world WORLD)"
    wit="wit/$wit_dir" world=${world:-$wit_dir}
    [ -d "$repo_root/$wit" ] || die "${dir}world names $wit, which is not a directory"
    inputs=("${dir}world" "$repo_root/$wit"/*.wit "$repo_root/$wit"/deps/*.wit)
  fi
  stale=false
  for input in "${shared_inputs[@]}" "${inputs[@]}" "$dir"*.js; do
    if [ -e "$input" ] && newer "$input" "$wasm"; then stale=true; break; fi
  done
  if $stale; then
    say "componentize-js $name ($wit, world $world)"
    rm -rf "$scratch" && mkdir -p "$scratch"
    # Relative to the repository root so that `../../../sdk-guest/js/granary.js` stays inside
    # the directory componentize-js maps into the engine while it snapshots the module.
    (cd "$repo_root" && TMPDIR="$scratch" node "$cli" "examples/js/$name/$name.js" \
      --wit "$wit" --world-name "$world" --disable http fetch-event --out "$wasm.tmp") \
      || die "componentize-js failed for examples/js/$name/$name.js"
    [ -s "$wasm.tmp" ] || die "componentize-js wrote no component for $name"
    wasm-tools validate "$wasm.tmp" || die "componentize-js produced an invalid component for $name"
    mv "$wasm.tmp" "$wasm"
    rm -rf "$scratch"
  fi
  echo "$wasm ($(stat -c %s "$wasm") bytes)"
done
