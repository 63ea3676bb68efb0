#!/usr/bin/env bash
# Builds __NAME__.wasm: componentize-js (npm, installed into node_modules on first use, as
# locked in package-lock.json) snapshots __NAME__.js (and what it imports) into one component
# for world `__WORLD__` in wit/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (Debian: apt-get install nodejs npm)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || die "componentize-js needs Node.js 20.19 or newer, found $(node -v)"
cli=node_modules/@bytecodealliance/componentize-js/src/cli.js
if [ ! -f "$cli" ]; then
  echo "installing componentize-js into node_modules (npm)" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error || die "npm install failed"
fi
node "$cli" __NAME__.js --wit wit --world-name __WORLD__ --disable http fetch-event --out __NAME__.wasm.tmp
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
