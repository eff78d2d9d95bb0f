#!/usr/bin/env bash
# Benchmarks the scan action against Trivy's own CLI, the same version
# (v0.74.0, built from internal/scan/trivy's go.mod, so both link the exact
# same dependency set) on the same DB, as the issue asks:
#   one    one Go binary, warm DB:     scan --paths BIN   vs  trivy rootfs BIN
#   six    the 6 binaries of a build-matrix run: one scan  vs  6 trivy rootfs runs
#   cache  a second scan with the cache restored: no download (the DB digest is
#          asked for only after NextUpdate; here: zero registry requests)
# The DB is the test fixture (the golang.org/x/text advisory) written by
# TestWriteBenchFixture into a cache directory both tools read with their
# skip-DB-update switch, so no network is involved. Both tools scan for
# vulnerabilities only; scan also writes its JSON report, SARIF and SBOMs
# (CycloneDX + SPDX per binary), trivy prints its table to /dev/null.
# Reachability is off (it needs the module source; it is measured separately
# in the "reach" line: govulncheck over examples/hello against a local DB).
#
# The arms of one repetition run back to back (interleaved), so background
# load shifts all of them alike; the table shows medians.
#
# Usage: bash bench/scan.sh        Env: BENCH_RUNS=15 (medians), BENCH_WORKDIR=DIR
# Output: a markdown table on stdout, also written to bench/results/scan.md.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$script_dir")"
runs="${BENCH_RUNS:-15}"
work="${BENCH_WORKDIR:-$(mktemp -d)}"
mkdir -p "$work"
bin_dir="$repo_root/.cache/tools/bin"
mkdir -p "$bin_dir"

log() { printf 'bench/scan.sh: %s\n' "$*" >&2; }

# Build both tools (cached by the Go build cache).
log "building scan and trivy (GOEXPERIMENT=jsonv2)"
(cd "$repo_root/cmd/scan" && GOEXPERIMENT=jsonv2 go build -trimpath -o "$work/scan" .)
(cd "$repo_root/internal/scan/trivy" && GOEXPERIMENT=jsonv2 go build -trimpath -o "$bin_dir/trivy" github.com/aquasecurity/trivy/cmd/trivy)
trivy_version="trivy $(go version -m "$bin_dir/trivy" | awk '$2 == "github.com/aquasecurity/trivy" {print $3; exit}')"

# The DB fixture, in a cache directory both tools use.
cache="$work/cache"
rm -rf "$cache"
(cd "$repo_root/internal/scan/trivy" && SLIPWAY_SCAN_FIXTURE_DIR="$cache" GOEXPERIMENT=jsonv2 go test -count=1 -run TestWriteBenchFixture . >/dev/null)

# Six binaries of examples/hello, as build-matrix lays them out.
dist="$work/ws/dist"
rm -rf "$work/ws"
mkdir -p "$work/ws"
targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
bins=()
for t in "${targets[@]}"; do
  goos="${t%/*}" goarch="${t#*/}" ext=""
  [[ "$goos" == windows ]] && ext=.exe
  out="$dist/hello_${goos}_${goarch}/hello$ext"
  (cd "$repo_root/examples/hello" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -o "$out" .)
  bins+=("dist/hello_${goos}_${goarch}/hello$ext")
done
paths="$(IFS=,; echo "${bins[*]}")"

# median SECONDS...
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timeit CMD...: seconds (3 decimals) of one run; the command must succeed.
timeit() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", e-s}'
}

run_scan() { (cd "$work/ws" && "$work/scan" --cache-dir "$cache" --skip-db-update --reachability false "$@"); }
run_trivy() { "$bin_dir/trivy" rootfs --cache-dir "$cache" --skip-db-update --offline-scan --scanners vuln --quiet --format table "$@"; }
trivy_six() { for b in "${bins[@]}"; do run_trivy "$work/ws/$b"; done; }

# One untimed run of each to warm the page cache.
run_scan --paths "${bins[0]}" >/dev/null 2>&1
run_trivy "$work/ws/${bins[0]}" >/dev/null 2>&1

one_scan=() one_bare=() one_trivy=() six_scan=() six_trivy=()
for ((i = 1; i <= runs; i++)); do
  log "run $i/$runs"
  one_scan+=("$(timeit run_scan --paths "${bins[0]}")")
  one_bare+=("$(timeit run_scan --paths "${bins[0]}" --sbom-formats none)")
  one_trivy+=("$(timeit run_trivy "$work/ws/${bins[0]}")")
  six_scan+=("$(timeit run_scan --paths "$paths")")
  six_trivy+=("$(timeit trivy_six)")
done
m1s=$(median "${one_scan[@]}") m1b=$(median "${one_bare[@]}") m1t=$(median "${one_trivy[@]}")
m6s=$(median "${six_scan[@]}") m6t=$(median "${six_trivy[@]}")

# Cache restored: the second scan of a pinned DB downloads nothing. Counted
# by pointing db-repository at a port nothing listens on: any request fails.
digest="$(jq -r .digest "$cache/db/slipway-db.json")"
cache_run="$(cd "$work/ws" && "$work/scan" --paths "${bins[0]}" --cache-dir "$cache" --db-repository 127.0.0.1:1/none:2 --db-digest "$digest" --reachability false 2>/dev/null | grep '^db-digest=' || true)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
table="$(cat <<EOT
# scan benchmark

$(date -u +%Y-%m-%d), $(nproc) cores, $(go env GOVERSION), $trivy_version (built from internal/scan/trivy/go.mod), fixture DB, medians of $runs runs.

| case | slipway scan | trivy CLI | ratio (scan/trivy) | target |
|---|---:|---:|---:|---|
| one Go binary, warm DB | ${m1s}s (report, SARIF, 2 SBOMs) | ${m1t}s (trivy rootfs, table) | $(ratio "$m1s" "$m1t") | ≤ 1.0 |
| one Go binary, warm DB, sbom-formats none | ${m1b}s (report, SARIF) | ${m1t}s | $(ratio "$m1b" "$m1t") | ≤ 1.0 |
| 6 binaries of a build-matrix run | ${m6s}s (one scan) | ${m6t}s (6× trivy rootfs) | $(ratio "$m6s" "$m6t") (trivy/scan $(ratio "$m6t" "$m6s")×) | trivy/scan ≥ 3× |
| second run, cache restored, db-digest pinned | ${cache_run:-FAILED} with db-repository unreachable | | downloads nothing | nothing downloaded |

Scan writes its JSON report, SARIF and 12 SBOMs in these timings; trivy prints a table.
Raw (s): one scan ${one_scan[*]} · one scan, no SBOM ${one_bare[*]} · one trivy ${one_trivy[*]} · six scan ${six_scan[*]} · six trivy ${six_trivy[*]}.
EOT
)"
printf '%s\n' "$table"
printf '%s\n' "$table" >"$repo_root/bench/results/scan.md"
[[ -z "${BENCH_WORKDIR:-}" ]] && rm -rf "$work"
