#!/usr/bin/env bash
# Builds __NAME__.wasm: componentize-py (PyPI, installed into .venv on first use) bundles
# CPython and the project's Python files into one component for world `__WORLD__` in wit/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [ ! -x .venv/bin/componentize-py ]; then
  command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3 python3-venv)"
  python3 -m venv .venv || die "cannot create .venv (Debian: apt-get install python3-venv)"
  echo "installing componentize-py into .venv (pip)" >&2
  .venv/bin/pip install -q componentize-py==0.25.1 || die "pip install componentize-py failed"
fi
.venv/bin/componentize-py -d wit -w __WORLD__ componentize app -o __NAME__.wasm.tmp >/dev/null
mv __NAME__.wasm.tmp __NAME__.wasm
echo "built $PWD/__NAME__.wasm"
