#!/usr/bin/env bash
# The test suite, exactly as CI runs it: finds a JDK 21+, makes sure the Kubernetes control-plane
# binaries exist (building them from the Go module proxy the first time), then runs every test
# against real API servers and a real Git server on loopback.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=java-home.sh
source scripts/java-home.sh
echo "[test] JDK: $JAVA_HOME" >&2
# The Git server tests run the real git (http-backend, upload-pack) and ssh-keygen; the image
# build unpacks Debian's libc6 with dpkg-deb, and its test reads and runs the archive with skopeo,
# umoci and bubblewrap.
missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v umoci >/dev/null 2>&1 || missing+=(umoci)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if (( ${#missing[@]} )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing ${missing[*]}" >&2
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "[test] ERROR: the tests need ${missing[*]}; install them and run again" >&2
    exit 1
  fi
fi
bash scripts/kube-binaries.sh
bash scripts/ratify-crds.sh
bash scripts/gatekeeper-crds.sh
bash scripts/ratify-v2-check.sh --prepare
bash scripts/notation-check.sh --prepare
bash scripts/helm-cli.sh >/dev/null
bash scripts/registry-cli.sh >/dev/null
bash scripts/referrers-registry.sh >/dev/null
bash scripts/notation-cli.sh >/dev/null
exec ./mvnw -B -ntp verify "$@"
