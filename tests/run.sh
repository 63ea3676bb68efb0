#!/usr/bin/env bash
# Sets up and runs every test: installs PostgreSQL (the state store tests start their own
# server), builds the example grains (installing their toolchains on first use), runs the
# guest SDKs' native unit tests, then the workspace's tests in release mode.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. "$root/examples/lib/common.sh"
apt_ensure postgresql
./examples/build.sh
./sdk-guest/test.sh
cargo test --release --workspace "$@"
