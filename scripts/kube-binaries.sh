#!/usr/bin/env bash
# Makes kube-apiserver, kubectl and etcd available where fabric8 kube-api-test looks for them:
#   $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64/{kube-apiserver,kubectl,etcd}
# Order: binaries already there -> setup-envtest output (KUBEBUILDER_ASSETS) -> build from the
# Go module proxy. Idempotent: a second run finds the folder and returns at once.
set -euo pipefail

K8S_VERSION="${TRUSTSYNC_K8S_VERSION:-1.34.4}"
ETCD_VERSION="${TRUSTSYNC_ETCD_VERSION:-3.5.35}"
ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
DEST="$ROOT/k8s/${K8S_VERSION}-linux-amd64"
BINARIES=(kube-apiserver kubectl etcd)

say() { printf '[kube-binaries] %s\n' "$*" >&2; }

complete() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$DEST/$b" ]] || return 1; done
  # An API server that reports its real version (an earlier build of this script left
  # v0.0.0-master, which Helm's kubeVersion checks and MemberCluster status showed): rebuild one that does not.
  "$DEST/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes v${K8S_VERSION}" || return 1
}

if complete; then
  say "using binaries in $DEST"
  exit 0
fi

# setup-envtest (controller-runtime) leaves the same three binaries in one folder.
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  found=1
  for b in "${BINARIES[@]}"; do [[ -x "$KUBEBUILDER_ASSETS/$b" ]] || found=0; done
  if [[ $found == 1 ]]; then
    mkdir -p "$DEST"
    for b in "${BINARIES[@]}"; do cp "$KUBEBUILDER_ASSETS/$b" "$DEST/$b"; done
    say "copied setup-envtest binaries from $KUBEBUILDER_ASSETS to $DEST"
    exit 0
  fi
  say "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of ${BINARIES[*]}; building instead"
fi

if ! command -v go >/dev/null 2>&1; then
  say "ERROR: no Go toolchain on PATH, and no binaries in $DEST."
  say "Either install Go (1.24+) so the binaries can be built from the Go module proxy,"
  say "or put kube-apiserver, kubectl and etcd in $DEST (or point KUBEBUILDER_ASSETS at them)."
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/trustsync-kube-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DEST.partial"
started=$(date +%s)

# kube-apiserver and kubectl: k8s.io/kubernetes cannot be `go install`ed (its go.mod has
# replace directives for the staging modules), so a wrapper module repeats those replaces.
STAGING=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
  cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
  kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
  mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller)
staging_version="v0.${K8S_VERSION#1.}"
mkdir -p "$WORK/kube"
{
  echo "module trustsync.local/kubebuild"
  echo
  echo "go 1.24"
  echo
  echo "require k8s.io/kubernetes v${K8S_VERSION}"
  echo
  for m in "${STAGING[@]}"; do echo "replace k8s.io/$m => k8s.io/$m $staging_version"; done
} >"$WORK/kube/go.mod"
cat >"$WORK/kube/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
say "resolving k8s.io/kubernetes v${K8S_VERSION} from the Go module proxy"
(cd "$WORK/kube" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
(cd "$WORK/kube" && GOFLAGS=-mod=mod go get "k8s.io/kubernetes@v${K8S_VERSION}" >&2)
# The version the binaries report, as Kubernetes' own build stamps it (hack/lib/version.sh).
minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
VERSION_FLAGS="-X k8s.io/component-base/version.gitVersion=v${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1"
VERSION_FLAGS+=" -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean"
VERSION_FLAGS+=" -X k8s.io/client-go/pkg/version.gitVersion=v${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1"
VERSION_FLAGS+=" -X k8s.io/client-go/pkg/version.gitMinor=${minor}"
for cmd in kube-apiserver kubectl; do
  say "building $cmd (several minutes on 2 cores)"
  (cd "$WORK/kube" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w $VERSION_FLAGS" \
    -o "$DEST.partial/$cmd" "k8s.io/kubernetes/cmd/$cmd")
done

# etcd: Debian's etcd is older than recent API servers accept, so build 3.5.x too.
mkdir -p "$WORK/etcd"
cat >"$WORK/etcd/go.mod" <<GOMOD
module trustsync.local/etcdbuild

go 1.22

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
GOMOD
say "building etcd v${ETCD_VERSION}"
(cd "$WORK/etcd" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >&2)
(cd "$WORK/etcd" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' \
  -o "$DEST.partial/etcd" go.etcd.io/etcd/server/v3)

rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
say "built ${BINARIES[*]} into $DEST in $(( $(date +%s) - started ))s ($(du -sh "$DEST" | cut -f1))"
