#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and coverage instrumentation (the flags cargo-fuzz
# passes, on the stable toolchain: no sanitizer but Rust's own checks, debug assertions and
# overflow checks on) and runs each for a while, one per core at a time, seeded with the example
# components.
#   host/fuzz/run.sh [SECONDS per target, default 30] [TARGET...]
# Prints the executions of each target; a crash stops the run, its input kept under
# target/fuzz/artifacts/TARGET/. Where cargo-fuzz is installed, `cargo fuzz run TARGET` in
# host/fuzz does the same.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
. "$repo_root/examples/lib/common.sh"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(component peer_protocol public_api http_gateway)

# libFuzzer is C++, compiled by libfuzzer-sys.
command -v c++ >/dev/null || apt_ensure g++
triple=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="$repo_root/target/fuzz"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# --target keeps the instrumentation off build scripts and proc macros.
cargo build --release --quiet --manifest-path "$here/Cargo.toml" --target "$triple" --bins

corpus_root="$CARGO_TARGET_DIR/corpus"
# Runs one target for $seconds and prints its executions; dies on a crash, keeping its input.
fuzz_target() {
  local target=$1 corpus="$corpus_root/$1" artifacts="$CARGO_TARGET_DIR/artifacts/$1/"
  mkdir -p "$corpus" "$artifacts"
  # Real components seed the targets that read them.
  case $target in
    component) cp "$grains_out"/*/*.wasm "$corpus/" 2>/dev/null || true ;;
  esac
  local log="$CARGO_TARGET_DIR/$target.log"
  if ! "$CARGO_TARGET_DIR/$triple/release/$target" "$corpus" -max_total_time="$seconds" \
      -max_len=262144 -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "fuzz target $target found a crash; its input is in $artifacts"
  fi
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: $target: ${runs:-?} executions in ${seconds}s, no crash"
}

# One target per core at a time: each still has a core of its own for its $seconds.
cores=$(nproc)
running=()
failed=0
for target in "${targets[@]}"; do
  fuzz_target "$target" &
  running+=("$!")
  if [ ${#running[@]} -ge "$cores" ]; then
    wait "${running[0]}" || failed=1
    running=("${running[@]:1}")
    # A crash stops the run: no new target starts, those running finish their time.
    [ "$failed" = 0 ] || break
  fi
done
for pid in "${running[@]}"; do
  wait "$pid" || failed=1
done
[ "$failed" = 0 ] || die "a fuzz target failed (above)"
