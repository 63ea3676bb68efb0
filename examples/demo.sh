#!/usr/bin/env bash
# The main job for a newcomer: build the example grains and the node, start
# `granary dev`, upload the examples as kinds, and call them (gRPC and HTTP).
#
#   ./examples/demo.sh          keeps the node running afterwards (Ctrl-C stops it)
#   ./examples/demo.sh --once   stops the node after the calls (used by CI)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/common.sh"
cd "$repo_root"

once=0
[ "${1:-}" = --once ] && once=1

"$here/build.sh" rust
say "building the granary node (release)"
# etcd-client's build script needs a system protoc and the well-known .proto files.
apt_ensure protobuf-compiler libprotobuf-dev
cargo build --release --quiet --bin granary
granary="$repo_root/target/release/granary"

# A fresh data dir each run, so the replies below are always the same.
data_dir=$repo_root/target/demo-data
rm -rf "$data_dir"
listen=${GRANARY_LISTEN:-127.0.0.1:7070}
http=${GRANARY_HTTP:-127.0.0.1:7080}
export GRANARY_SERVER="http://$listen"
log="$repo_root/target/demo-node.log"
"$granary" dev --data-dir "$data_dir" --listen "$listen" --http "$http" >"$log" 2>&1 &
node=$!
trap 'kill "$node" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  kill -0 "$node" 2>/dev/null || { cat "$log" >&2; die "the node did not start"; }
  sleep 0.1
done
grep -q "listening on" "$log" || { cat "$log" >&2; die "the node did not start within 10 s"; }
say "node up at $GRANARY_SERVER (data in $data_dir, log in $log)"

run() { printf '$ granary %s\n' "$*"; "$granary" "$@"; }
# A call that must fail: its one-line error is part of the demo.
run_failing() { printf '$ granary %s\n' "$*"; if "$granary" "$@"; then die "expected '$*' to fail"; fi; }
for grain in counter account transfer; do
  run kind push "$grain" "target/grains/rust/$grain.wasm"
done
run kind ls
run call counter/alice add '{"n":5}'
run call counter/alice add '{"n":7}'
run call counter/alice get
run call account/demo-alice deposit '{"amount":100}'
run call transfer/demo transfer '{"from":"demo-alice","to":"demo-bob","amount":30}'
run_failing call transfer/demo transfer '{"from":"demo-alice","to":"demo-bob","amount":500}'
run call account/demo-alice balance
run call account/demo-bob balance
run grains ls
if command -v curl >/dev/null; then
  printf '$ curl -X POST %s/v1/grains/counter/bob/add -d %s\n' "$http" "'{\"n\":2}'"
  curl -s -X POST "$http/v1/grains/counter/bob/add" -d '{"n":2}'
  echo
fi

if [ "$once" = 1 ]; then
  kill -TERM "$node"
  wait "$node"
  trap - EXIT
  say "node stopped"
else
  say "the node keeps running: try '$granary call counter/alice get'; Ctrl-C stops it"
  trap - EXIT
  wait "$node"
fi
