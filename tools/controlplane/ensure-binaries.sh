#!/usr/bin/env bash
# Prints the folder holding etcd, kube-apiserver and kube-controller-manager, building them first
# from the Go module proxy at the versions pinned in ./kubernetes/go.mod and ./etcd/go.mod.
# Builds are cached outside the repo, keyed by those versions, and reused (cached-go-build.sh).
# If KUBEBUILDER_ASSETS names a folder that already holds the three binaries (the envtest
# convention), that is used. Progress goes to stderr; stdout is only the folder, so callers can
# capture it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cached-go-build.sh"
binaries=(etcd kube-apiserver kube-controller-manager)

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && has_all "$KUBEBUILDER_ASSETS" "${binaries[@]}"; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

k8s=$(pinned k8s.io/kubernetes "$here/kubernetes/go.mod")
etcd=$(pinned go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")

build_control_plane() {
  go_build kubernetes "$here/kubernetes" -ldflags=-s -o "$1/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  go_build etcd "$here/etcd" -ldflags=-s -o "$1/etcd" .
}
ensure_built "$(cache_root)/controlplane/kubernetes-${k8s}_etcd-${etcd}" build_control_plane "${binaries[@]}"
