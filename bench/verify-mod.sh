#!/usr/bin/env bash
# Benchmarks verify-mod's sumdb check on a real, large go.sum against a
# checksum database on 127.0.0.1 (built from the module cache by the Go
# benchmark), cold (empty tile cache) and warm, plus its verify check, and
# times `go mod verify` on the same module beside them.
#
#   bash bench/verify-mod.sh [MODULE@VERSION] [RUNS]
#
# RUNS (default 5) is the number of timed runs of the sumdb check, cold and
# warm; the verify check and `go mod verify` hash every extracted file of
# every dependency and run 3 times. VERIFY_MOD_BENCH_DIR keeps the prepared
# module and module cache there for another run (default: a temp dir).
#
# Default module: github.com/aquasecurity/trivy@v0.74.0 (1,364 go.sum lines).
# Its go.mod/go.sum come from `go mod download -json MODULE@VERSION`; its
# dependencies are downloaded into a temporary GOMODCACHE (through the
# machine's module cache as a file:// proxy first, then GOPROXY).
# Results go to bench/results/verify-mod.md.
set -euo pipefail

module="${1:-github.com/aquasecurity/trivy@v0.74.0}"
runs="${2:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${VERIFY_MOD_BENCH_DIR:-}" ]]; then
  work="$VERIFY_MOD_BENCH_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  cleanup() { chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
  trap cleanup EXIT
fi
slow_runs=3

host_cache="$(go env GOMODCACHE)"
upstream="$(go env GOPROXY)"
export GOENV=off GOFLAGS= GOTOOLCHAIN=local GOWORK=off GOTELEMETRY=off
export GOPROXY="file://$host_cache/cache/download,$upstream"
export GOMODCACHE="$work/modcache" GOPATH="$work/gopath"
mkdir -p "$work/get" "$work/mod"

if [[ ! -f "$work/mod/.ready" ]]; then
  echo "verify-mod.sh: fetching $module" >&2
  dir="$(cd "$work/get" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp "$dir/go.mod" "$dir/go.sum" "$work/mod/"
  chmod u+w "$work/mod/go.mod" "$work/mod/go.sum"
  echo "verify-mod.sh: downloading the dependencies into $GOMODCACHE" >&2
  start=$(date +%s)
  (cd "$work/mod" && go mod download)
  echo "verify-mod.sh: downloaded in $(( $(date +%s) - start ))s" >&2
  touch "$work/mod/.ready"
fi
lines="$(grep -c . "$work/mod/go.sum")"

echo "verify-mod.sh: go mod verify x$slow_runs" >&2
verify_times=()
for _ in $(seq "$slow_runs"); do
  s=$(date +%s.%N)
  (cd "$work/mod" && GOPROXY=off go mod verify >/dev/null)
  verify_times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done

echo "verify-mod.sh: go test -bench (sumdb x$runs, verify x$slow_runs)" >&2
bench() { # pattern runs
  (cd "$repo" && go test -v -timeout 0 -run '^$' -bench "$1" -benchtime "${2}x" -count 1 ./internal/modverify \
    -args -bench-module "$work/mod" -bench-modcache "$GOMODCACHE") 2>&1 | tee -a "$work/bench.log" >&2
}
: > "$work/bench.log"
bench 'BenchmarkCheck/sumdb' "$runs"
bench 'BenchmarkCheck/verify' "$slow_runs"
bench_out="$(cat "$work/bench.log")"
secs() { echo "$bench_out" | awk -v n="BenchmarkCheck/$1" '$1 ~ "^"n"(-[0-9]+)?$" {printf "%.3f", $3/1e9}'; }
cold="$(secs sumdb-cold)"; warm="$(secs sumdb-warm)"; vcheck="$(secs verify)"
[[ -n "$cold" && -n "$warm" && -n "$vcheck" ]] || { echo "verify-mod.sh: benchmark failed" >&2; exit 1; }
gmv="$(printf '%s\n' "${verify_times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}')"
note="$(echo "$bench_out" | grep -o 'go.sum: .*' | head -1 || true)"

cat > "$repo/bench/results/verify-mod.md" <<MD
# verify-mod benchmark

$(date -u +%Y-%m-%d), $(go env GOVERSION), $(nproc) cores ($(uname -m)). Module: \`$module\`,
go.sum with $lines lines. Command:

\`\`\`sh
bash bench/verify-mod.sh $module $runs
\`\`\`

The checksum database is the real protocol (\`golang.org/x/mod/sumdb\` server, signed tree, tiles)
on 127.0.0.1, its records built from the module cache the dependencies were downloaded into
($note). Times are per run of the whole action in-process (\`--checks sumdb\` or \`--checks verify\`),
mean of $runs runs for sumdb and $slow_runs for verify; \`go mod verify\` is the median of $slow_runs runs
with a warm module cache.

| what | time |
|---|---:|
| verify-mod \`sumdb\` check, cold (empty tile cache) | ${cold} s |
| verify-mod \`sumdb\` check, warm tile cache | ${warm} s |
| verify-mod \`verify\` check (dirhash of every cached zip and .mod, plus \`go mod verify\`) | ${vcheck} s |
| \`go mod verify\` alone | ${gmv} s |

Targets from the issue: sumdb cold under 5 s, warm under 0.5 s.
MD
cat "$repo/bench/results/verify-mod.md"
