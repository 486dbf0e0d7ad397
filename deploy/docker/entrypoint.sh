#!/bin/sh
# The image's entry point: the first argument names the app to run (one image for all four).
# `exec` puts node in this shell's place (PID 1 in a container), so the SIGTERM that Kubernetes
# or compose sends reaches the app, which finishes the work in hand before it exits.
set -eu
root=$(dirname "$0")
case "${1:-}" in
  config-watcher | host-watcher | tenant-watcher | writer)
    app=$1
    shift
    exec node --enable-source-maps "$root/apps/$app/dist/main.js" "$@"
    ;;
  *)
    echo "usage: <image> config-watcher|host-watcher|tenant-watcher|writer" >&2
    exit 64
    ;;
esac
