#!/usr/bin/env bash
# Build example grains into target/grains/<lang>/<name>.wasm.
#
#   ./examples/build.sh            every language
#   ./examples/build.sh rust       only the listed languages
#
# Installs what each language needs from the package registries on first use
# (apt, pip, cargo) and is fast when nothing changed. See examples/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/common.sh"

all_langs=(rust python js go c zig assemblyscript)
langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=("${all_langs[@]}")

for lang in "${langs[@]}"; do
  script="$here/$lang/build.sh"
  [ -x "$script" ] || die "unknown language '$lang' (known: ${all_langs[*]})"
  say "building $lang grains"
  timed "$script"
done
