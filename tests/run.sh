#!/usr/bin/env bash
# Sets up and runs every test: installs PostgreSQL and etcd (the tests start their own
# servers), chromium and playwright-core for the dashboard's browser test, the stock
# Python clients the tests drive, and protoc with its well-known protos
# (etcd-client's build compiles etcd's), builds the example grains (installing their
# toolchains on first use) while cargo compiles the tests, runs the guest SDKs' native unit
# tests, then the workspace's tests in release mode, validates deploy/ offline, and fuzzes
# the parsers that face the network and the SDKs' JSON helpers for GRANARY_FUZZ_SECONDS each
# (default 30), side by side where each takes one core.
#   tests/run.sh [cargo test arguments]   e.g. `-p granary-wire` or `--test e2e -- crash`
# Arguments go to both cargo test runs; the workspace is virtual, so without `-p` every
# member is tested.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. "$root/examples/lib/common.sh"
timed apt_ensure postgresql etcd-server protobuf-compiler libprotobuf-dev chromium
# Stock clients the tests drive: a reflection v1alpha client and a Prometheus text parser.
timed pip_modules_ensure grpc_reflection=grpcio-reflection==1.* prometheus_client=prometheus-client==0.*
# The dashboard's browser test drives Debian's chromium with playwright-core from npm.
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund --silent)
# The example grains build while cargo compiles the tests: much of their build is downloads
# and single-threaded tools, and only the tests' run needs them.
mkdir -p target
examples_log=target/examples-build.log
./examples/build.sh >"$examples_log" 2>&1 &
examples=$!
trap 'kill "$examples" 2>/dev/null || true' EXIT
timed cargo test --release --no-run "$@"
wait "$examples" || { cat "$examples_log"; die "./examples/build.sh failed (above)"; }
trap - EXIT
cat "$examples_log"
timed ./sdk-guest/test.sh
timed cargo test --release "$@"
timed ./deploy/check.sh
timed ./host/fuzz/run.sh "${GRANARY_FUZZ_SECONDS:-30}"
timed ./sdk-guest/fuzz.sh "${GRANARY_FUZZ_SECONDS:-30}"
