#!/usr/bin/env bash
# Checks rendered trust policy documents with notation-go v1.3.2 itself (notation-check/):
#   scripts/notation-check.sh DOCUMENTS_DIR REPORT.json   # NAME.repo.json / NAME.rendered.json pairs
#   scripts/notation-check.sh --prepare                   # download and compile only (scripts/test.sh does this)
# Test tooling only: built from the Go module proxy.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/notation-check"
say() { printf '[notation-check] %s\n' "$*" >&2; }
command -v go >/dev/null 2>&1 || { say "ERROR: no Go toolchain on PATH (needed to build notation-go)"; exit 1; }
cd "$HERE"
if [[ "${1:-}" == "--prepare" ]]; then
  go test -count=1 -run TestRenderedDocuments . >/dev/null
  say "ready"
  exit 0
fi
[[ $# -eq 2 ]] || { say "usage: $0 DOCUMENTS_DIR REPORT.json | --prepare"; exit 2; }
TRUSTSYNC_DOCUMENTS="$(cd "$1" && pwd)" TRUSTSYNC_REPORT="$2" go test -count=1 -run TestRenderedDocuments .
