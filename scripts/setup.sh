#!/usr/bin/env bash
# Installs whatever this machine lacks to build, test and run service-replicator locally:
# Debian packages (redis-server, redis-tools, openssl, chromium for the status page's browser test, busybox
# for the compose scripts' test), the npm dependencies from the lock file, the Kubernetes
# control-plane binaries and helm (for the chart tests), built once from the Go module proxy, and
# the ServiceMonitor and ScaledObject CRDs the chart tests install (fetched from the same proxy),
# then cached.
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
# redis-cli assembles the Redis Cluster of the cluster tests (sentinels run as redis-server --sentinel).
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v openssl >/dev/null || missing+=(openssl)
# Debian's build: a test tool's own browser download is refused on these machines.
command -v chromium >/dev/null || missing+=(chromium)
# The compose stack's kubeconfigs step runs in busybox; its test runs the script with busybox sh.
command -v busybox >/dev/null || missing+=(busybox)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (apt)"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install (it records what it installed).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

command -v go >/dev/null || { echo "setup: Go is required to build the Kubernetes test binaries and helm" >&2; exit 1; }
bash tools/controlplane/ensure-binaries.sh >/dev/null
bash tools/helm/ensure-helm.sh >/dev/null
bash tools/crds/ensure-crds.sh >/dev/null
