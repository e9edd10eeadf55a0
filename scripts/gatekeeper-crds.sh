#!/usr/bin/env bash
# Puts Gatekeeper's CRDs where the tests look for them:
#   $KUBE_API_TEST_DIR/gatekeeper/gatekeeper@<version>/*.yaml
# - Gatekeeper's own CRDs (ConstraintTemplate, the status.gatekeeper.sh pod statuses, ...), copied
#   from its Go module (charts/gatekeeper/crds: one plain apiextensions.k8s.io/v1 CRD a file; the
#   config/crd/bases copies are kustomize input: some hold two CRDs, the _*.yaml ones are fragments);
# - the Constraint CRD of kind RatifyVerification (constraints.gatekeeper.sh), made from Ratify's
#   ConstraintTemplate (library/default/template.yaml of its Go module) by Gatekeeper's own code:
#   scripts/gatekeeper-constraint-crd, built here only when that CRD is missing.
# Both modules come through the Go module proxy. Idempotent.
set -euo pipefail

GATEKEEPER="github.com/open-policy-agent/gatekeeper/v3@${TRUSTSYNC_GATEKEEPER_VERSION:-v3.23.1}"
RATIFY="github.com/ratify-project/ratify@${TRUSTSYNC_RATIFY_V1_VERSION:-v1.4.6}"
ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/gatekeeper"
DEST="$ROOT/gatekeeper@${GATEKEEPER#*@}"
CONSTRAINT_CRD="$DEST/ratifyverification-customresourcedefinition.yaml"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gatekeeper-constraint-crd"

say() { printf '[gatekeeper-crds] %s\n' "$*" >&2; }

module_dir() {   # the module's folder in the module cache, downloaded if need be
  local dir
  if ! command -v go >/dev/null 2>&1; then
    say "ERROR: no Go toolchain on PATH to fetch $1, and no CRDs in $DEST"
    exit 1
  fi
  dir="$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir" ]]; then
    say "ERROR: go mod download $1 gave no folder"
    exit 1
  fi
  printf '%s\n' "$dir"
}

if [[ -f "$DEST/constrainttemplate-customresourcedefinition.yaml" ]]; then
  say "using Gatekeeper's CRDs in $DEST"
else
  dir="$(module_dir "$GATEKEEPER")"
  if ! compgen -G "$dir/charts/gatekeeper/crds/*.yaml" >/dev/null; then
    say "ERROR: $GATEKEEPER has no charts/gatekeeper/crds"
    exit 1
  fi
  if grep -l '{{' "$dir"/charts/gatekeeper/crds/*.yaml >&2; then
    say "ERROR: Helm templating in the CRDs of $GATEKEEPER above"
    exit 1
  fi
  mkdir -p "$DEST"
  cp "$dir"/charts/gatekeeper/crds/*.yaml "$DEST/"
  chmod u+w "$DEST"/*.yaml   # the module cache is read-only
  say "copied $(ls "$dir"/charts/gatekeeper/crds/*.yaml | wc -l) CRDs of $GATEKEEPER to $DEST"
fi

if [[ -f "$CONSTRAINT_CRD" ]]; then
  say "using $CONSTRAINT_CRD"
  exit 0
fi
template="$(module_dir "$RATIFY")/library/default/template.yaml"
if [[ ! -f "$template" ]]; then
  say "ERROR: $RATIFY has no library/default/template.yaml"
  exit 1
fi
# The generator's go.mod pins Gatekeeper; another version is built from a copy that requires it.
src="$SRC"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! grep -q "^[[:space:]]*${GATEKEEPER%@*} ${GATEKEEPER#*@}\$" "$SRC/go.mod"; then
  say "building the generator against $GATEKEEPER (go.mod pins another version)"
  cp "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go "$tmp/"
  (cd "$tmp" && go get "$GATEKEEPER" && go mod tidy) >&2
  src="$tmp"
fi
tool="$ROOT/.bin/gatekeeper-constraint-crd"
mkdir -p "$ROOT/.bin"
say "building $tool"
(cd "$src" && go build -trimpath -o "$tool" .)
mkdir -p "$DEST"
"$tool" "$template" >"$tmp/crd.yaml"
mv "$tmp/crd.yaml" "$CONSTRAINT_CRD"
say "generated $CONSTRAINT_CRD from $RATIFY library/default/template.yaml"
