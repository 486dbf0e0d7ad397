#!/bin/sh
# The compose service `kubeconfigs`: waits for the kubeconfigs k3s-host and k3s-tenant write
# (both name https://127.0.0.1:6443, their own loopback) and copies them for the apps with the
# server rewritten to the compose service name, which each k3s has in its certificate (--tls-san).
# KUBECONFIG_DIR (default /kubeconfig, the shared volume) and KUBECONFIG_WAIT_SECONDS (default
# 180) let test/src/docker-compose.test.ts run it, under busybox sh as here.
set -eu
dir=${KUBECONFIG_DIR:-/kubeconfig}
limit=${KUBECONFIG_WAIT_SECONDS:-180}
copy() { # cluster output
  raw=$dir/$1.raw.yaml
  waited=0
  until [ -s "$raw" ]; do
    [ "$waited" -lt "$limit" ] || { echo "no kubeconfig from $1 in $raw after $limit s" >&2; exit 1; }
    sleep 1
    waited=$((waited + 1))
  done
  sed "s#https://127.0.0.1:6443#https://$1:6443#" "$raw" > "$dir/$2.tmp"
  # The apps run as the unprivileged node user: readable by them (a local development cluster).
  chmod 0644 "$dir/$2.tmp"
  mv "$dir/$2.tmp" "$dir/$2"
  echo "wrote $dir/$2 for https://$1:6443"
}
copy k3s-host host.yaml
copy k3s-tenant tenant-a.yaml
