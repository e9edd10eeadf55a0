#!/usr/bin/env bash
# Builds the referrers registry (scripts/referrers-registry: olareg, an OCI-conformant registry
# with the OCI 1.1 referrers API, at the version its go.mod pins) from the Go module proxy, once,
# and prints its path. Test tooling only: ReferrersApiIT signs images there with notation, which
# stores the signatures as referrers (no sha256-<hex> tag), so the scanner must use the API.
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/referrers-registry" && pwd)"
VERSION="$(awk '$1 == "require" && $2 == "github.com/olareg/olareg" { print $3 }' "$SRC/go.mod")"
[[ -n "$VERSION" ]] || { echo "[referrers-registry] ERROR: $SRC/go.mod names no olareg version" >&2; exit 1; }
DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/referrers-registry-olareg-$VERSION"
if [[ ! -x "$DIR/referrers-registry" ]]; then
  command -v go >/dev/null 2>&1 || { echo "[referrers-registry] ERROR: no Go toolchain on PATH" >&2; exit 1; }
  mkdir -p "$DIR"
  echo "[referrers-registry] building the referrers registry (olareg $VERSION)" >&2
  # go.sum is committed: the build checks every module against it and changes nothing
  (cd "$SRC" && GOFLAGS=-mod=readonly go build -o "$DIR/referrers-registry.tmp" . && mv "$DIR/referrers-registry.tmp" "$DIR/referrers-registry")
  echo "[referrers-registry] built it into $DIR" >&2
fi
echo "$DIR/referrers-registry"
