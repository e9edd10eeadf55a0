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
bash scripts/kube-binaries.sh
exec ./mvnw -B -ntp verify "$@"
