#!/usr/bin/env bash
# Validates deploy/ offline: every Kubernetes manifest against the Kubernetes schemas that
# PyPI's kubernetes-validate ships (strict: unknown fields fail), every kustomization's files
# present, every node config in a ConfigMap valid TOML whose keys are `granary node` flags,
# and the compose files' YAML. Usage: deploy/check.sh [PATH-TO-granary]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/examples/lib/common.sh"
pip_ensure kubernetes-validate kubernetes-validate==1.*
granary=${1:-$root/target/release/granary}
[ -x "$granary" ] || die "$granary is missing: build it with cargo build --release --bin granary"

cd "$root/deploy"
manifests=$(find kubernetes -name '*.yaml' ! -name kustomization.yaml | sort)
say "validating $(echo "$manifests" | wc -l) manifests against Kubernetes 1.30 and 1.37"
for version in 1.30.0 1.37.0; do
  # shellcheck disable=SC2086
  kubernetes-validate --strict --quiet -k "$version" $manifests
done

say "checking kustomizations, node configs and the compose files"
"$tools_venv/bin/python" - "$granary" <<'PY'
import pathlib, subprocess, sys, tomllib, yaml

granary = sys.argv[1]
help_text = subprocess.run([granary, "node", "--help"], capture_output=True, text=True, check=True).stdout
failures = []
for kustomization in sorted(pathlib.Path("kubernetes").rglob("kustomization.yaml")):
    spec = yaml.safe_load(kustomization.read_text())
    listed = spec.get("resources", []) + [patch["path"] for patch in spec.get("patches", [])]
    for entry in listed:
        if not (kustomization.parent / entry).exists():
            failures.append(f"{kustomization}: {entry} does not exist")
configs = 0
for manifest in sorted(pathlib.Path("kubernetes").rglob("*.yaml")):
    for document in yaml.safe_load_all(manifest.read_text()):
        if not document or document.get("kind") != "ConfigMap":
            continue
        text = document.get("data", {}).get("granary.toml")
        if text is None:
            continue
        configs += 1
        try:
            config = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            failures.append(f"{manifest}: granary.toml is not TOML: {error}")
            continue
        for key in config:
            if f"--{key} " not in help_text and f"--{key}\n" not in help_text:
                failures.append(f"{manifest}: `{key}` is not a `granary node` flag")
for name in ["compose.yaml", "compose.cluster.yaml"]:
    compose = yaml.safe_load(pathlib.Path(name).read_text())
    if not compose.get("services"):
        failures.append(f"{name} has no services")
for failure in failures:
    print(f"error: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print(f"{configs} node configs and the compose files are sound")
PY
say "deploy/ is valid"
