#!/usr/bin/env bash
# Puts Ratify's own CRDs where the tests look for them:
#   $KUBE_API_TEST_DIR/ratify/<module>@<version>/*.yaml
# They come from Ratify's Go module (config/crd/bases), fetched through the Go module proxy:
# the real CRDs, not copies kept in this repository. Idempotent.
set -euo pipefail

ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/ratify"
# v1: config.ratify.deislabs.io; v2: config.ratify.sh (Executor, NamespacedExecutor; storage v2beta1).
MODULES=("github.com/ratify-project/ratify@${TRUSTSYNC_RATIFY_V1_VERSION:-v1.4.6}"
         "github.com/ratify-project/ratify/v2@${TRUSTSYNC_RATIFY_V2_VERSION:-v2.0.0-beta.2}")

say() { printf '[ratify-crds] %s\n' "$*" >&2; }

for module in "${MODULES[@]}"; do
  path="${module%@*}"
  name="$(basename "$path")"
  [[ "$name" =~ ^v[0-9]+$ ]] && name="$(basename "$(dirname "$path")")-$name"   # .../ratify/v2 -> ratify-v2
  dest="$ROOT/$name@${module#*@}"
  if compgen -G "$dest/*.yaml" >/dev/null; then
    say "using $dest"
    continue
  fi
  if ! command -v go >/dev/null 2>&1; then
    say "ERROR: no Go toolchain on PATH to fetch $module, and no CRDs in $dest"
    exit 1
  fi
  dir="$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir/config/crd/bases" ]]; then
    say "ERROR: go mod download $module gave no config/crd/bases"
    exit 1
  fi
  mkdir -p "$dest"
  cp "$dir"/config/crd/bases/*.yaml "$dest/"
  say "copied $(ls "$dest" | wc -l) CRDs of $module to $dest"
done
