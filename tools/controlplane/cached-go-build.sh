# Sourced, not run: the one way this repository builds its Go tools (the Kubernetes control plane
# here, helm in ../helm). A tool is a Go module pinning its version; its binaries are built once
# from the Go module proxy into a cache folder named after the pinned versions, and reused.
# Progress goes to stderr, so an ensure-*.sh script keeps stdout for the folder it prints.

# The cache root: SERVICE_REPLICATOR_CACHE, else the XDG cache folder.
cache_root() { echo "${SERVICE_REPLICATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/service-replicator}"; }

# pinned MODULE GO_MOD: the version GO_MOD requires of MODULE.
pinned() { awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == m && $(i + 1) ~ /^v/) { print $(i + 1); exit } }' "$2"; }

# has_all DIR BINARY...: true when DIR holds every BINARY, executable.
has_all() { local dir=$1; shift; local b; for b in "$@"; do [ -x "$dir/$b" ] || return 1; done; }

# go build -v names each package as it compiles it: turned into a running count so a first
# (minutes long) build shows it is moving without flooding the log.
_progress() { awk -v what="$1" '{ n++; if (n % 200 == 0) { printf "  %s: %d packages compiled\n", what, n; fflush() } } END { printf "  %s: %d packages compiled\n", what, n }' >&2; }

# go_build WHAT MODULE_DIR GO_BUILD_ARGS...: one `go build` in a tool's module, logged to
# $GO_BUILD_LOG; on failure the end of that log is shown and the script exits.
go_build() {
  local what=$1 dir=$2; shift 2
  if ! (cd "$dir" && go build -v -trimpath "$@" 2>&1 | tee -a "$GO_BUILD_LOG" | _progress "$what"); then
    echo "go build of $what failed; the end of $GO_BUILD_LOG:" >&2
    tail -n 40 "$GO_BUILD_LOG" >&2
    exit 1
  fi
}

# ensure_built OUT BUILD_FUNCTION BINARY...: prints OUT once it holds every BINARY. When it does
# not, BUILD_FUNCTION is called with a fresh OUT.partial folder to build into (through go_build);
# that folder is renamed to OUT only when complete, so an interrupted build is never taken.
ensure_built() {
  local out=$1 build=$2; shift 2
  if has_all "$out" "$@"; then echo "$out"; return 0; fi
  command -v go >/dev/null || { echo "Go is needed to build $* (none on PATH)" >&2; exit 1; }
  rm -rf "$out.partial" && mkdir -p "$out.partial"
  GO_BUILD_LOG="$out.partial/build.log"
  local start=$SECONDS
  echo "building $* into $out (first time only; minutes)" >&2
  "$build" "$out.partial"
  has_all "$out.partial" "$@" || { echo "the build finished without all of $*" >&2; exit 1; }
  rm -rf "$out" && mv "$out.partial" "$out"
  echo "built $* in $((SECONDS - start)) s" >&2
  echo "$out"
}
