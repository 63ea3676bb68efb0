#!/usr/bin/env bash
# Runs the guest SDKs' own unit tests natively (their JSON helpers, which build anywhere):
# Go's `go test`, Zig's `zig test` and C's json_test.c (with ASan and UBSan). The toolchains are the ones ./examples/build.sh
# installs into target/tools/venv, so run that first (tests/run.sh does).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/target/tools/venv"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
[ -x "$venv/bin/go" ] || die "no Go in $venv: run ./examples/build.sh go first"
"$venv/bin/python" -c 'import ziglang' 2>/dev/null || die "no Zig in $venv: run ./examples/build.sh zig first"
command -v cc >/dev/null || die "no C compiler (Debian: apt-get install gcc)"

echo "==> go test (sdk-guest/go)" >&2
(cd "$root/sdk-guest/go" &&
  GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOCACHE="$root/target/guest-go/cache-native" \
    "$venv/bin/go" test ./...)
echo "==> zig test (sdk-guest/zig)" >&2
"$venv/bin/python" -m ziglang test "$root/sdk-guest/zig/json_test.zig" \
  --cache-dir "$root/target/guest-zig/cache" --global-cache-dir "$root/target/guest-zig/cache"
echo "==> C json_test (sdk-guest/c, ASan + UBSan)" >&2
mkdir -p "$root/target/guest-c"
(cd "$root/sdk-guest/c" &&
  cc -std=c17 -Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I include -I src tests/json_test.c src/buf.c src/utf8.c src/json_*.c -o "$root/target/guest-c/json_test")
"$root/target/guest-c/json_test"
