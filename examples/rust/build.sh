#!/usr/bin/env bash
# Rust grains: Debian's rustc-web with -Zbuild-std for wasm32-unknown-unknown (rustup cannot
# add wasm targets here), then `wasm-tools component new`. No WASI imports, no adapter.
# Also writes the invalid-module fixtures the tests use, under target/grains/fixtures/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

apt_ensure rustc-web cargo-web rust-web-src
llvm_major=$(/usr/bin/rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
[ -n "$llvm_major" ] || die "cannot read the LLVM version of /usr/bin/rustc"
apt_ensure "lld-$llvm_major"
wasm_tools_ensure

target=wasm32-unknown-unknown
build_dir="$repo_root/target/guest-rust"
(
  # Nothing from an outer rustup/cargo invocation may leak into Debian's toolchain.
  unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTUP_TOOLCHAIN \
        CARGO_BUILD_TARGET RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER CARGO
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="wasm-ld-$llvm_major"
  export CARGO_TARGET_DIR="$build_dir"
  cd "$here"
  /usr/bin/cargo build --release --quiet -Zbuild-std=std,panic_abort --target "$target"
)

out="$grains_out/rust"
mkdir -p "$out"
for manifest in "$here"/*/Cargo.toml; do
  name=$(basename "$(dirname "$manifest")")
  core="$build_dir/$target/release/${name//-/_}.wasm"
  [ -f "$core" ] || die "expected $core after the build"
  if newer "$core" "$out/$name.wasm"; then
    wasm-tools component new "$core" -o "$out/$name.wasm.tmp"
    wasm-tools validate "$out/$name.wasm.tmp"
    mv "$out/$name.wasm.tmp" "$out/$name.wasm"
  fi
  echo "$out/$name.wasm ($(stat -c %s "$out/$name.wasm") bytes)"
done

fixtures="$grains_out/fixtures"
mkdir -p "$fixtures"
cp "$build_dir/$target/release/counter.wasm" "$fixtures/core-module.wasm"
# A fixture is a WIT file, or a directory with world.wit and deps/.
for fixture in other-world extra-import typed-counter-breaking; do
  wit="$repo_root/tests/fixtures/$fixture.wit" changed="$repo_root/tests/fixtures/$fixture.wit"
  [ -f "$wit" ] || { wit="$repo_root/tests/fixtures/$fixture"; changed="$wit/world.wit"; }
  if newer "$changed" "$fixtures/$fixture.wasm"; then
    wasm-tools component embed --dummy "$wit" -o "$fixtures/$fixture.core.wasm"
    wasm-tools component new "$fixtures/$fixture.core.wasm" -o "$fixtures/$fixture.wasm"
    rm "$fixtures/$fixture.core.wasm"
  fi
done
