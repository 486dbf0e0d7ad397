#!/usr/bin/env bash
# Prints the folder holding the CustomResourceDefinitions the chart's optional objects are checked
# against: prometheus-operator's ServiceMonitor and KEDA's ScaledObject. Both projects publish
# their CRD manifests inside their Go modules, so they come through the Go module proxy at the
# versions pinned below, each module's content checked against its pinned go.sum hash, and are
# cached next to the binaries (../controlplane/cached-go-build.sh). stdout is only the folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../controlplane/cached-go-build.sh"

# module, version, the module zip's hash as go.sum records it, and the CRD file inside the module.
pins=(
  "github.com/prometheus-operator/prometheus-operator v0.85.0 h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s= example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
  "github.com/kedacore/keda/v2 v2.21.0 h1:R6z2HZvstK4RLUMxroNACzBj74xGxt3kG59b5Xc+Xps= config/crd/bases/keda.sh_scaledobjects.yaml"
)

# The cache folder is named after the pins (prometheus-operator-v0.85.0_keda-v2.21.0), so a new pin fetches anew.
name=""
for pin in "${pins[@]}"; do set -- $pin; module=${1%/v[0-9]*}; name="${name:+${name}_}${module##*/}-$2"; done
out="$(cache_root)/crds/$name"
complete() { local pin; for pin in "${pins[@]}"; do set -- $pin; [ -s "$out/$(basename "$4")" ] || return 1; done; }
if complete; then echo "$out"; exit 0; fi
command -v go >/dev/null || { echo "Go is needed to fetch the CRDs from the Go module proxy (none on PATH)" >&2; exit 1; }

# `go mod download -json` outside any module: the proxy's zip, verified by the checksum database,
# unpacked into the module cache; its JSON names the folder (Dir) and the hash (Sum).
field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}$/\1/p"; }
rm -rf "$out.partial" && mkdir -p "$out.partial"
for pin in "${pins[@]}"; do
  set -- $pin
  module=$1 version=$2 sum=$3 file=$4
  echo "fetching $module@$version (Go module proxy) for $(basename "$file")" >&2
  json=$(cd "$out.partial" && GOFLAGS=-mod=mod go mod download -json "$module@$version") || {
    echo "go mod download $module@$version failed:" >&2; echo "$json" >&2; exit 1; }
  got=$(field Sum <<<"$json")
  [ "$got" = "$sum" ] || { echo "$module@$version: hash $got, pinned $sum; refusing it" >&2; exit 1; }
  cp "$(field Dir <<<"$json")/$file" "$out.partial/"
done
chmod 0644 "$out.partial"/*.yaml
rm -rf "$out" && mv "$out.partial" "$out"
echo "$out"
