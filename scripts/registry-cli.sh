#!/usr/bin/env bash
# Builds the CNCF Distribution registry (v3.1.2 by default) from the Go module proxy, once, and
# prints its path. Test tooling only: InstallDocIT pushes the image to it over TLS, as the install
# guide pushes to a real registry.
set -euo pipefail
VERSION="${TRUSTSYNC_REGISTRY_VERSION:-v3.1.2}"
DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/registry-$VERSION"
if [[ ! -x "$DIR/registry" ]]; then
  command -v go >/dev/null 2>&1 || { echo "[registry-cli] ERROR: no Go toolchain on PATH" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  printf 'module trustsync.io/registry-cli\n\ngo 1.24\n\nrequire github.com/distribution/distribution/v3 %s\n' "$VERSION" > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/distribution/distribution/v3/cmd/registry"\n' > "$work/tools.go"
  mkdir -p "$DIR"
  echo "[registry-cli] building the Distribution registry $VERSION" >&2
  (cd "$work" && GOFLAGS=-mod=mod go build -o "$DIR/registry" github.com/distribution/distribution/v3/cmd/registry)
  echo "[registry-cli] built it into $DIR" >&2
fi
echo "$DIR/registry"
