#!/usr/bin/env bash
# Sets up and runs every test: installs PostgreSQL and etcd (the tests start their own
# servers), chromium and playwright-core for the dashboard's browser test, the stock
# Python clients the tests drive, and protoc with its well-known protos
# (etcd-client's build compiles etcd's), builds the example grains (installing their
# toolchains on first use), runs the guest SDKs' native unit tests, then the workspace's
# tests in release mode, validates deploy/ offline, and fuzzes the parsers that face the
# network and the SDKs' JSON helpers for GRANARY_FUZZ_SECONDS each (default 30).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. "$root/examples/lib/common.sh"
# Runs one step and says how long it took, so a slow run shows where its time went.
step() {
  local since=$SECONDS
  "$@"
  echo "==> $1 took $((SECONDS - since))s"
}
step apt_ensure postgresql etcd-server protobuf-compiler libprotobuf-dev chromium
# Stock clients the tests drive: a reflection v1alpha client and a Prometheus text parser.
step pip_modules_ensure grpc_reflection=grpcio-reflection==1.* prometheus_client=prometheus-client==0.*
# The dashboard's browser test drives Debian's chromium with playwright-core from npm.
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund --silent)
step ./examples/build.sh
step ./sdk-guest/test.sh
step cargo test --release --workspace "$@"
step ./deploy/check.sh
step ./host/fuzz/run.sh "${GRANARY_FUZZ_SECONDS:-30}"
step ./sdk-guest/fuzz.sh "${GRANARY_FUZZ_SECONDS:-30}"
