#!/usr/bin/env bash
# C grains: Debian's clang 14 and wasi-libc build each examples/c/<name>/*.c with the library
# in sdk-guest/c (its JSON tokenizer is Debian's header-only jsmn) for wasm32-wasi as a
# reactor. The canonical-ABI bindings come from wit-bindgen's C backend, used as a library by
# the small generator in sdk-guest/c/bindgen (built once with cargo; no `cargo install`); its
# object file carries the WIT, so `wasm-tools component new` needs no `embed`. The library
# avoids stdio, so a grain imports no WASI and needs no adapter; a grain whose own code pulls
# WASI in (printf) is wrapped with the WASI reactor adapter instead. Each grain becomes
# target/grains/c/<name>.wasm, rebuilt only when its inputs changed. See sdk-guest/c/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

apt_ensure clang lld wasi-libc libclang-rt-14-dev-wasm32 libjsmn-dev
command -v clang >/dev/null || die "clang is missing although its package is installed"
command -v wasm-ld >/dev/null || die "wasm-ld is missing (Debian: apt-get install lld)"
wasm_tools_ensure

tools="$repo_root/target/tools"
work="$repo_root/target/guest-c"
sdk="$repo_root/sdk-guest/c"

# The bindings generator: wit-bindgen-c (version locked in its Cargo.lock) behind a short
# main. A debug build without debug info compiles in about a minute and runs in milliseconds.
bindgen="$tools/c-bindgen/debug/granary-c-bindgen"
bindgen_sources=("$sdk/bindgen/Cargo.toml" "$sdk/bindgen/Cargo.lock" "$sdk/bindgen/src")
if [ ! -x "$bindgen" ] || [ -n "$(find "${bindgen_sources[@]}" -newer "$bindgen" -print -quit)" ]; then
  command -v cargo >/dev/null || die "cargo is needed to build the C bindings generator (wit-bindgen-c, crates.io)"
  say "building the C bindings generator (cargo, wit-bindgen-c from crates.io; about a minute, once)"
  (
    # Nothing from an outer cargo invocation may redirect or reconfigure this build.
    unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET CARGO_TARGET_DIR
    cargo build --quiet --locked --manifest-path "$sdk/bindgen/Cargo.toml" --target-dir "$tools/c-bindgen"
  ) || die "cargo build of sdk-guest/c/bindgen failed"
  touch "$bindgen" # cargo leaves an unchanged binary's time alone
fi

# grain.h, grain.c and grain_component_type.o for world `grain`, shared by every grain. They
# replace the old ones only when they differ, so that a generator rebuilt (or built by the
# C template's test into the same target dir) rebuilds no grain.
gen="$work/gen"
if [ ! -f "$gen/grain.h" ] || newer "$bindgen" "$gen/grain.h" ||
  newer "$repo_root/wit/grain.wit" "$gen/grain.h"; then
  rm -rf "$gen.tmp"
  "$bindgen" "$repo_root/wit/grain.wit" grain "$gen.tmp" || die "generating the C bindings of $repo_root/wit/grain.wit failed"
  if diff -rq "$gen.tmp" "$gen" >/dev/null 2>&1; then
    rm -rf "$gen.tmp"
  else
    rm -rf "$gen"
    mv "$gen.tmp" "$gen"
  fi
fi

# --stack-first puts the stack below the data, so an overflow traps instead of overwriting it.
cflags=(--target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -std=c17 -Os -flto
  -Wall -Wextra -I "$sdk/include" -I "$gen")
ldflags=(-Wl,--strip-debug -Wl,--stack-first -Wl,-z,stack-size=131072)

out="$grains_out/c"
mkdir -p "$out"
for dir in "$here"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  sources=("$dir"/*.c)
  [ -f "${sources[0]}" ] || continue
  component="$out/$name.wasm"
  # Rebuild when any input is newer than the component: the grain, the library, the
  # bindings (regenerated when the WIT changes), this script.
  if [ -f "$component" ] &&
    [ -z "$(find "$dir" "$sdk/include" "$sdk/src" "$gen" "$here/build.sh" -newer "$component" -print -quit)" ]; then
    echo "$component ($(stat -c %s "$component") bytes, up to date)"
    continue
  fi
  build="$work/$name"
  mkdir -p "$build"
  say "building $name ($(clang --version | head -n1))"
  clang "${cflags[@]}" "${ldflags[@]}" -o "$build/core.wasm" \
    "${sources[@]}" "$sdk"/src/*.c "$gen/grain.c" "$gen/grain_component_type.o" \
    || die "clang build of $name failed"
  adapt=()
  wasi_imports=$(wasm-tools print "$build/core.wasm" | grep -c '(import "wasi_snapshot_preview1"' || true)
  if [ "$wasi_imports" -gt 0 ]; then
    # Only such a grain needs the WASI preview1 -> preview2 reactor adapter.
    adapt=(--adapt "wasi_snapshot_preview1=$(wasi_adapter)")
  fi
  wasm-tools component new "$build/core.wasm" "${adapt[@]}" -o "$component.tmp"
  wasm-tools validate "$component.tmp"
  mv "$component.tmp" "$component"
  echo "$component ($(stat -c %s "$component") bytes)"
done
