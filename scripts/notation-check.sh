#!/usr/bin/env bash
# Checks what TrustSync renders with notation-go v1.3.2 itself (notation-check/). Test tooling only,
# built from the Go module proxy.
#   scripts/notation-check.sh DOCUMENTS_DIR REPORT.json               # NAME.repo.json / NAME.rendered.json pairs
#   scripts/notation-check.sh --directories CONFIG_DIRS REPORT.json   # each folder a Notation configuration directory
#   scripts/notation-check.sh --flux SECRETS_DIR REPORT.json          # each folder one Flux verification Secret, a file per key
#   scripts/notation-check.sh --decoded DOCUMENTS_DIR REPORT.json      # NAME.repo.json / NAME.decoded.json: TrustSync's decoding of repeated keys
#   scripts/notation-check.sh --prepare                               # download and compile only (scripts/test.sh does this)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/notation-check"
say() { printf '[notation-check] %s\n' "$*" >&2; }
command -v go >/dev/null 2>&1 || { say "ERROR: no Go toolchain on PATH (needed to build notation-go)"; exit 1; }
cd "$HERE"
export GOFLAGS=-mod=mod
case "${1:-}" in
  --prepare)
    go test -count=1 . >/dev/null
    say "ready"
    ;;
  --directories)
    [[ $# -eq 3 ]] || { say "usage: $0 --directories CONFIG_DIRS REPORT.json"; exit 2; }
    TRUSTSYNC_CONFIG_DIRS="$(cd "$2" && pwd)" TRUSTSYNC_REPORT="$3" go test -count=1 -run 'TestNotationDirectories$' .
    ;;
  --decoded)
    [[ $# -eq 3 ]] || { say "usage: $0 --decoded DOCUMENTS_DIR REPORT.json"; exit 2; }
    TRUSTSYNC_DECODED="$(cd "$2" && pwd)" TRUSTSYNC_REPORT="$3" go test -count=1 -run 'TestDecodedDocuments$' .
    ;;
  --flux)
    [[ $# -eq 3 ]] || { say "usage: $0 --flux SECRETS_DIR REPORT.json"; exit 2; }
    TRUSTSYNC_FLUX_SECRETS="$(cd "$2" && pwd)" TRUSTSYNC_REPORT="$3" go test -count=1 -run 'TestFluxSecrets$' .
    ;;
  *)
    [[ $# -eq 2 ]] || { say "usage: $0 DOCUMENTS_DIR REPORT.json | --directories DIR REPORT.json | --flux DIR REPORT.json | --decoded DIR REPORT.json | --prepare"; exit 2; }
    TRUSTSYNC_DOCUMENTS="$(cd "$1" && pwd)" TRUSTSYNC_REPORT="$2" go test -count=1 -run 'TestRenderedDocuments$' .
    ;;
esac
