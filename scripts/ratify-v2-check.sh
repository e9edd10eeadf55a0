#!/usr/bin/env bash
# Loads TrustSync-rendered Ratify v2 Executors with Ratify's own code and reports what each
# notation verifier trusts:
#   scripts/ratify-v2-check.sh EXECUTORS_DIR REPORT.json   # every *.json in the folder is one rendered Executor
#   scripts/ratify-v2-check.sh --prepare                   # download and compile only (scripts/test.sh does this)
# Ratify's configuration code is internal to its Go module, so the check (ratify-v2-check/) runs as a
# test inside a copy of the module, fetched through the Go module proxy. Test tooling only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${TRUSTSYNC_RATIFY_V2_VERSION:-v2.0.0-beta.2}"
MODULE="github.com/ratify-project/ratify/v2@$VERSION"
WORK="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/ratify/ratify-v2-src@$VERSION"
say() { printf '[ratify-v2-check] %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { say "ERROR: no Go toolchain on PATH (needed to build Ratify's own code)"; exit 1; }
if [[ ! -f "$WORK/go.mod" ]]; then
  dir="$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -f "$dir/go.mod" ]] || { say "ERROR: go mod download $MODULE failed"; exit 1; }
  mkdir -p "$(dirname "$WORK")"
  rm -rf "$WORK.partial"
  cp -r "$dir" "$WORK.partial"
  chmod -R u+w "$WORK.partial"
  mv "$WORK.partial" "$WORK"
  say "copied $MODULE to $WORK"
fi
cp "$HERE/ratify-v2-check/trustsync_check_test.go" "$WORK/internal/verifier/notation/trustsync_check_test.go"
cd "$WORK"
if [[ "${1:-}" == "--prepare" ]]; then
  GOFLAGS=-mod=mod go test -count=1 -run TestTrustSyncExecutors ./internal/verifier/notation/ >/dev/null
  say "ready ($WORK)"
  exit 0
fi
[[ $# -eq 2 ]] || { say "usage: $0 EXECUTORS_DIR REPORT.json | --prepare"; exit 2; }
TRUSTSYNC_EXECUTORS="$(cd "$1" && pwd)" TRUSTSYNC_REPORT="$2" GOFLAGS=-mod=mod \
  go test -count=1 -run TestTrustSyncExecutors ./internal/verifier/notation/
