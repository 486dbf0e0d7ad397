#!/usr/bin/env bash
# Prints the folder holding etcd, kube-apiserver and kube-controller-manager, building them first
# from the Go module proxy at the versions pinned in ./kubernetes/go.mod and ./etcd/go.mod.
# Builds are cached outside the repo, keyed by those versions, and reused. If KUBEBUILDER_ASSETS
# names a folder that already holds the three binaries (the envtest convention), that is used.
# Progress goes to stderr; stdout is only the folder, so callers can capture it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binaries=(etcd kube-apiserver kube-controller-manager)

has_all() { for b in "${binaries[@]}"; do [ -x "$1/$b" ] || return 1; done; }

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && has_all "$KUBEBUILDER_ASSETS"; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

pinned() { awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == m && $(i + 1) ~ /^v/) { print $(i + 1); exit } }' "$2"; }
k8s=$(pinned k8s.io/kubernetes "$here/kubernetes/go.mod")
etcd=$(pinned go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")
cache=${SERVICE_REPLICATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/service-replicator}
out="$cache/controlplane/kubernetes-${k8s}_etcd-${etcd}"

if has_all "$out"; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "ensure-binaries: Go is needed to build the control plane (none on PATH)" >&2; exit 1; }
mkdir -p "$out.partial"
start=$SECONDS
# go build -v names each package as it compiles it: turned into a running count so the first
# (several minutes long) build shows it is moving without flooding the log.
progress() { awk -v what="$1" '{ n++; if (n % 200 == 0) { printf "  %s: %d packages compiled\n", what, n; fflush() } } END { printf "  %s: %d packages compiled\n", what, n }' >&2; }

echo "ensure-binaries: building Kubernetes $k8s and etcd $etcd into $out (first time only; several minutes)" >&2
log="$out.partial/build.log"
build() { # what dir go-build-args...
  local what=$1 dir=$2; shift 2
  if ! (cd "$dir" && go build -v -trimpath -ldflags=-s "$@" 2>&1 | tee -a "$log" | progress "$what"); then
    echo "ensure-binaries: building $what failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}
build kubernetes "$here/kubernetes" -o "$out.partial/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
build etcd "$here/etcd" -o "$out.partial/etcd" .
has_all "$out.partial" || { echo "ensure-binaries: build finished without all of ${binaries[*]}" >&2; exit 1; }
rm -rf "$out" && mv "$out.partial" "$out"
echo "ensure-binaries: built in $((SECONDS - start)) s" >&2
echo "$out"
