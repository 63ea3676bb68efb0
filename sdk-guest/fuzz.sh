#!/usr/bin/env bash
# Fuzzes the guest SDKs' hand-written JSON helpers natively, each through its own harness:
# Go's `go test -fuzz` (FuzzParseObject, FuzzQuoteJSON), C's json_fuzz.c under libFuzzer
# with ASan and UBSan (clang), Zig's randomized json_fuzz_test.zig (Zig's coverage-guided
# fuzzer needs its build runner), and AssemblyScript's as a plain wasm module run in Node with
# mutated payloads (tests/json_fuzz.mjs).
#   sdk-guest/fuzz.sh [SECONDS per target, default 30]
# Needs the toolchains ./examples/build.sh installs (tests/run.sh runs it first). A Go crash
# is kept under sdk-guest/go/granary/testdata/fuzz/, where `go test` replays it from then on.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/examples/lib/common.sh"
seconds=${1:-30}
venv="$root/target/tools/venv"
[ -x "$venv/bin/go" ] || die "no Go in $venv: run ./examples/build.sh go first"

for target in FuzzParseObject FuzzQuoteJSON; do
  (cd "$root/sdk-guest/go" &&
    GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOCACHE="$root/target/guest-go/cache-native" \
      "$venv/bin/go" test -run='^$' -fuzz="^$target\$" -fuzztime="${seconds}s" ./granary >"$root/target/guest-go/$target.log" 2>&1) \
    || { tail -n 30 "$root/target/guest-go/$target.log" >&2; die "go fuzz $target failed"; }
  runs=$(grep -o 'execs: [0-9]*' "$root/target/guest-go/$target.log" | tail -n 1 | cut -d' ' -f2)
  echo "fuzz: go $target: ${runs:-?} executions in ${seconds}s, no crash"
done

# libFuzzer and the sanitizers' runtimes come with clang's compiler-rt.
apt_ensure clang
major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
apt_ensure "libclang-rt-$major-dev"
out="$root/target/guest-c"
mkdir -p "$out/fuzz-corpus" "$out/fuzz-artifacts"
(cd "$root/sdk-guest/c" &&
  clang -std=c17 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I include -I src tests/json_fuzz.c src/buf.c src/utf8.c src/json_*.c -o "$out/json_fuzz")
# libFuzzer takes one core, so the C harness runs beside the Zig and AssemblyScript ones.
(
  "$out/json_fuzz" "$out/fuzz-corpus" -max_total_time="$seconds" -artifact_prefix="$out/fuzz-artifacts/" \
    -print_final_stats=1 >"$out/json_fuzz.log" 2>&1 \
    || { tail -n 40 "$out/json_fuzz.log" >&2; die "C json_fuzz found a crash; its input is in $out/fuzz-artifacts"; }
  echo "fuzz: c json_fuzz: $(sed -n 's/^stat::number_of_executed_units: *//p' "$out/json_fuzz.log") executions in ${seconds}s, no crash"
) &
c_fuzz=$!
trap 'kill "$c_fuzz" 2>/dev/null || true' EXIT

rounds=$(( seconds * 20000 ))
seed=$(( RANDOM * 32768 + RANDOM ))
GRANARY_FUZZ_SEED=$seed GRANARY_FUZZ_ROUNDS=$rounds "$venv/bin/python" -m ziglang test "$root/sdk-guest/zig/json_fuzz_test.zig" \
  --cache-dir "$root/target/guest-zig/cache" --global-cache-dir "$root/target/guest-zig/cache" >/dev/null 2>&1 \
  || die "zig json fuzz failed (GRANARY_FUZZ_SEED=$seed GRANARY_FUZZ_ROUNDS=$rounds reproduces it)"
echo "fuzz: zig json_fuzz_test: $rounds payloads (seed $seed), no failure"

asc="$root/target/tools/assemblyscript/node_modules/assemblyscript/bin/asc.js"
[ -f "$asc" ] || die "no AssemblyScript compiler: run ./examples/build.sh assemblyscript first"
as_out="$root/target/guest-assemblyscript"
mkdir -p "$as_out"
(cd "$root" && node "$asc" sdk-guest/assemblyscript/tests/json_fuzz.ts -O3 --runtime incremental -o "$as_out/json_fuzz.wasm")
read -r runs parsed < <(node "$root/sdk-guest/assemblyscript/tests/json_fuzz.mjs" "$as_out/json_fuzz.wasm" "$seconds" "$seed") \
  || die "AssemblyScript json fuzz found a crash (seed $seed)"
echo "fuzz: assemblyscript json_fuzz: $runs executions in ${seconds}s ($parsed parsed, seed $seed), no crash"
wait "$c_fuzz"
trap - EXIT
