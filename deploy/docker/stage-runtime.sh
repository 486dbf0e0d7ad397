#!/usr/bin/env bash
# Lays out what the runtime image holds, in OUT: the root package files, every workspace's
# package.json (npm ci needs each workspace the lock file names), the compiled apps and libs
# (their dist/, without type declarations), and production dependencies only. Run after
# `npm ci && npm run build`; the Dockerfile's build stage runs it, and so does
# test/src/docker-compose.test.ts, which then starts an app from OUT.
set -euo pipefail
out=${1:?usage: stage-runtime.sh OUT}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
cp package.json package-lock.json "$out/"
cp deploy/docker/entrypoint.sh "$out/"

# `npm query` lists the workspaces as npm itself resolves the globs in package.json.
workspaces=$(npm query .workspace | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).map((w) => w.location).join("\n")))')
for ws in $workspaces; do
  mkdir -p "$out/$ws"
  cp "$ws/package.json" "$out/$ws/"
  case "$ws" in
    apps/* | libs/*)
      [ -d "$ws/dist" ] || { echo "stage-runtime: $ws/dist is missing: run npm run build first" >&2; exit 1; }
      # Only what runs: compiled JavaScript and its source maps (stack traces name .ts lines).
      (cd "$ws" && find dist -type f \( -name '*.js' -o -name '*.js.map' \) ! -name '*.spec.js*' -print0 |
        xargs -0 -I{} install -D -m 0644 {} "$out/$ws/{}")
      ;;
  esac
done

# Scripts are skipped: nothing at run time needs an install step (prebuilt native add-ons ship
# as optional packages), and a production image should not run package code while building.
(cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
