#!/usr/bin/env bash
# Python grains: componentize-py (PyPI) bundles CPython and the app into a component.
# The result imports WASI p2, which the node links with no ambient authority.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

pip_ensure componentize-py componentize-py==0.25.1
sdk="$repo_root/sdk-guest/python"
out="$grains_out/python"
mkdir -p "$out"
for app in "$here"/*/app.py; do
  dir=$(dirname "$app")
  name=$(basename "$dir")
  wasm="$out/$name.wasm"
  # A grain whose directory holds a file `world` reading `DIR [WORLD]` is built against
  # wit/DIR, world WORLD (by default DIR: wit/typed-counter, world typed-counter).
  world=grain wit="$repo_root/wit"
  if [ -f "$dir/world" ]; then
    read -r wit_dir world < "$dir/world"
    wit="$repo_root/wit/$wit_dir" world=${world:-$wit_dir}
  fi
  # Everything it is built from: the app, the SDK, the contract, and that world's WIT files.
  inputs=("$app" "$sdk/granary.py" "$repo_root/wit/grain.wit")
  if [ -f "$dir/world" ]; then inputs+=("$dir/world" "$wit"/*.wit "$wit"/deps/*.wit); fi
  stale=false
  for input in "${inputs[@]}"; do
    if [ -e "$input" ] && newer "$input" "$wasm"; then stale=true; break; fi
  done
  if $stale; then
    componentize-py -d "$wit" -w "$world" componentize -p "$dir" -p "$sdk" app -o "$wasm.tmp" >/dev/null
    mv "$wasm.tmp" "$wasm"
  fi
  echo "$wasm ($(stat -c %s "$wasm") bytes)"
done
