#!/usr/bin/env bash
# Builds the real Helm CLI (v4.3.1 by default) from the Go module proxy, once, and prints its path.
# Test tooling only: HelmChartIT lints, templates, installs, upgrades and uninstalls charts/ with it.
set -euo pipefail
VERSION="${TRUSTSYNC_HELM_VERSION:-v4.3.1}"
MAJOR="${VERSION%%.*}"
DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/helm-$VERSION"
if [[ ! -x "$DIR/helm" ]]; then
  command -v go >/dev/null 2>&1 || { echo "[helm-cli] ERROR: no Go toolchain on PATH" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  printf 'module trustsync.io/helm-cli\n\ngo 1.24\n\nrequire helm.sh/helm/%s %s\n' "$MAJOR" "$VERSION" > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "helm.sh/helm/%s/cmd/helm"\n' "$MAJOR" > "$work/tools.go"
  mkdir -p "$DIR"
  echo "[helm-cli] building helm $VERSION (a few minutes the first time)" >&2
  # The version Helm prints comes from linker flags, as its own Makefile sets them.
  (cd "$work" && GOFLAGS=-mod=mod go build -ldflags "-X helm.sh/helm/$MAJOR/internal/version.version=$VERSION" \
    -o "$DIR/helm" "helm.sh/helm/$MAJOR/cmd/helm")
  echo "[helm-cli] built helm $VERSION into $DIR" >&2
fi
echo "$DIR/helm"
