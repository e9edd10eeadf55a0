#!/usr/bin/env bash
# Builds the real notation CLI (v1.3.2 by default) from the Go module proxy, once, and prints its path.
# For benchmarks only: `trustsync bench coldstart` compares `trustsync validate` with `notation policy import`.
set -euo pipefail
VERSION="${TRUSTSYNC_NOTATION_VERSION:-v1.3.2}"
DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/notation-$VERSION"
if [[ ! -x "$DIR/notation" ]]; then
  command -v go >/dev/null 2>&1 || { echo "[notation-cli] ERROR: no Go toolchain on PATH" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  printf 'module trustsync.io/notation-cli\n\ngo 1.24\n\nrequire github.com/notaryproject/notation %s\n' "$VERSION" > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/notaryproject/notation/cmd/notation"\n' > "$work/tools.go"
  mkdir -p "$DIR"
  (cd "$work" && GOFLAGS=-mod=mod go build -o "$DIR/notation" github.com/notaryproject/notation/cmd/notation)
  echo "[notation-cli] built notation $VERSION into $DIR" >&2
fi
echo "$DIR/notation"
