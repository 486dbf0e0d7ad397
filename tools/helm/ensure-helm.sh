#!/usr/bin/env bash
# Prints the folder holding `helm`, built first from the Go module proxy at the version pinned in
# ./go.mod, the same way (and into the same cache) as the control plane: ../controlplane/cached-go-build.sh.
# The chart tests render deploy/helm/service-replicator with it. stdout is only the folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../controlplane/cached-go-build.sh"

helm=$(pinned helm.sh/helm/v4 "$here/go.mod")

# helm reports the version it was stamped with at link time; unstamped it would say only "v4.3".
build_helm() {
  go_build helm "$here" -ldflags="-s -X helm.sh/helm/v4/internal/version.version=$helm" -o "$1/helm" helm.sh/helm/v4/cmd/helm
}
ensure_built "$(cache_root)/helm/helm-$helm" build_helm helm
