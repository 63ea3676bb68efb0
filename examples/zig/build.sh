#!/usr/bin/env bash
# Zig grains: Zig from PyPI (`ziglang`, run as `python -m ziglang`, in the tools venv) builds
# each examples/zig/<name>/<name>.zig with the granary module (sdk-guest/zig, the canonical ABI
# by hand) for wasm32-freestanding: no libc, no WASI, no adapter. `wasm-tools component embed`
# adds the WIT and `component new` wraps the core module into target/grains/zig/<name>.wasm,
# rebuilt only when its inputs changed. Zig's caches live under target/guest-zig/cache, so
# only the first build compiles Zig's runtime pieces. See sdk-guest/zig/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

zig_version=0.17.1 # PyPI ziglang; std.json's API moves between Zig releases, so pin exactly

wasm_tools_ensure # also creates the tools venv

# ziglang installs no `zig` command (it is `python -m ziglang`), so pip_ensure cannot check it.
python="$tools_venv/bin/python"
installed_zig() { "$python" -c 'import importlib.metadata as m; print(m.version("ziglang"))' 2>/dev/null || true; }
if [ "$(installed_zig)" != "$zig_version" ]; then
  say "installing ziglang==$zig_version (pip, into $tools_venv)"
  "$tools_venv/bin/pip" install -q "ziglang==$zig_version" || die "pip install ziglang==$zig_version failed"
  [ "$(installed_zig)" = "$zig_version" ] || die "ziglang $zig_version installed but not importable from $python"
fi
zig() { "$python" -m ziglang "$@"; }

work="$repo_root/target/guest-zig"
sdk="$repo_root/sdk-guest/zig"
out="$grains_out/zig"
mkdir -p "$out"
for dir in "$here"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  [ -f "$dir/$name.zig" ] || continue
  component="$out/$name.wasm"
  # Rebuild when any input is newer than the component: the grain, the SDK, the WIT, this script.
  if [ -f "$component" ] &&
    [ -z "$(find "$dir" "$sdk" "$repo_root/wit/grain.wit" "$here/build.sh" -newer "$component" -print -quit)" ]; then
    echo "$component ($(stat -c %s "$component") bytes, up to date)"
    continue
  fi
  build="$work/$name"
  mkdir -p "$build"
  say "building $name (zig $zig_version)"
  # -rdynamic exports what granary.exportGrain @exports; ReleaseSafe keeps overflow and bounds
  # checks, so a bug traps (logged by granary.panic) instead of corrupting the grain's memory.
  zig build-exe -target wasm32-freestanding -fno-entry -rdynamic -O ReleaseSafe -fstrip \
    --cache-dir "$work/cache" --global-cache-dir "$work/cache" \
    --dep granary -Mroot="$dir/$name.zig" -Mgranary="$sdk/granary.zig" \
    -femit-bin="$build/core.wasm" || die "zig build-exe of $name failed"
  wasm-tools component embed "$repo_root/wit/grain.wit" --world grain "$build/core.wasm" -o "$build/embedded.wasm"
  wasm-tools component new "$build/embedded.wasm" -o "$component.tmp"
  wasm-tools validate "$component.tmp"
  if wasm-tools component wit "$component.tmp" | grep -q 'import wasi:'; then
    die "$name imports WASI; a Zig grain should import only granary:grain/host"
  fi
  mv "$component.tmp" "$component"
  echo "$component ($(stat -c %s "$component") bytes)"
done
