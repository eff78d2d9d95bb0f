#!/usr/bin/env bash
# shellcheck disable=SC2016 # ${{ }} and $VARS in single quotes are meant for the workflow and bash -c
# Benchmarks what the composite actions (actions/<name>/action.yml and
# actions/resolve.sh) add on top of the binaries, under act v0.2.89 on this
# host (`-P ubuntu-latest=-self-hosted`), with every binary in the runner's
# tool cache as a release would have it (actions/checksums.txt + the
# verified binary in $RUNNER_TOOL_CACHE/slipway/<version>/<os>-<arch>/):
#
#   a. overhead: from a step starting to the binary starting, per action.
#      The tool cache holds `stamp` (a Go program written below that appends
#      its start time, in Unix ns, to a file and exits), padded to the size of
#      the real binary of each action, since resolve.sh hashes the cached file
#      before it trusts it (an ELF binary runs with bytes appended). The
#      workflow writes a timestamp in the step just before each `uses:` step,
#      so the figure is an upper bound: the end of the previous step, act
#      starting the composite step, the resolve step (sha256 of the cached
#      binary against checksums.txt), the skipped cache and build steps, and
#      the run step starting the binary. The same resolve + run sequence is
#      also timed in plain bash (no act), which is what the scripts cost.
#   b. pipeline: the examples/demo.sh sequence on examples/hello — plan, two
#      shards, merge, verify-mod, publish (OCI layout), scan (fixture Trivy
#      DB, offline), publish (push to a registry on 127.0.0.1), sign
#      generate-key, sign, sign verify — once as one act job using the five
#      actions (the real binaries in the tool cache) and once calling the
#      same binaries with the same inputs as CLI flags. Runs alternate.
#
#   bash bench/actions.sh [RUNS]        # RUNS (default 5) of each measurement
#
# The 1-minute load average is recorded before every run (the machine is
# shared); the script prints a markdown report with medians. Needs the pinned
# act and registry (tools/install.sh builds them) and Go; binaries are built
# with the host's GOCACHE (warm: seconds; Trivy cold: minutes).
set -euo pipefail

runs="${1:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
registry_pid=""
cleanup() {
  if [[ -n "$registry_pid" ]]; then kill "$registry_pid" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "actions.sh: $*" >&2; }

tools="$(bash "$repo/tools/install.sh" act registry)"
act="$tools/act"
names=(build-matrix verify-mod publish scan sign)
GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPROXY="$(go env GOPROXY)" GOFLAGS="$(go env GOFLAGS)"
export GOCACHE GOMODCACHE GOPROXY GOFLAGS
targets="linux/amd64,linux/arm64,linux/arm/7,darwin/arm64,windows/amd64"
shards=(ubuntu-latest-1 ubuntu-latest-2) # what plan gives for $targets over 2 jobs

# --- binaries, as resolve.sh's source build makes them -----------------------
log "building the five binaries"
mkdir -p "$work/bin"
for n in "${names[@]}"; do
  if [[ -f "$repo/cmd/$n/go.mod" ]]; then
    (cd "$repo/cmd/$n" && CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go build -trimpath -o "$work/bin/$n" .)
  else
    (cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/bin/$n" "./cmd/$n")
  fi
done
mkdir -p "$work/stamp"
cat >"$work/stamp/main.go" <<'GO'
// stamp appends "binary NAME UNIX_NS" (its start time) to $SLIPWAY_BENCH_STAMPS.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	t := time.Now().UnixNano()
	f, err := os.OpenFile(os.Getenv("SLIPWAY_BENCH_STAMPS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(f, "binary %s %d\n", os.Getenv("SLIPWAY_BENCH_NAME"), t)
	if err := f.Close(); err != nil {
		os.Exit(1)
	}
}
GO
printf 'module stamp\n\ngo 1.26\n' >"$work/stamp/go.mod"
(cd "$work/stamp" && CGO_ENABLED=0 go build -trimpath -o stamp .)

# --- two "releases" of the action tree and their tool cache -------------------
# release/overhead: the stamps (padded); release/pipeline: the real binaries.
home="$work/home"
toolcache="$home/.cache/act/tool_cache" # act's RUNNER_TOOL_CACHE on the host
for kind in overhead pipeline; do
  mkdir -p "$work/release/$kind"
  cp -R "$repo/actions" "$work/release/$kind/actions"
  rm -f "$work/release/$kind/actions/checksums.txt"
  mkdir -p "$toolcache/slipway/v0.0.0-$kind/linux-amd64"
  for n in "${names[@]}"; do
    dst="$toolcache/slipway/v0.0.0-$kind/linux-amd64/$n"
    if [[ "$kind" == overhead ]]; then
      cp "$work/stamp/stamp" "$dst"
      truncate -s "$(stat -c %s "$work/bin/$n")" "$dst"
    else
      cp "$work/bin/$n" "$dst"
    fi
    printf '%s  %s_linux_amd64\n' "$(sha256sum "$dst" | cut -d' ' -f1)" "$n" >>"$work/release/$kind/actions/checksums.txt"
  done
done

# --- the workspace: examples/hello in a git repository, and the workflows ----
ws="$work/ws"
mkdir -p "$ws/examples" "$ws/.github/workflows"
cp -R "$repo/examples/hello" "$ws/examples/hello"
printf 'dist/\nshards/\nkeys/\n' >"$ws/.gitignore"
{
  printf 'name: overhead\non: push\njobs:\n  overhead:\n    runs-on: ubuntu-latest\n    steps:\n'
  for n in "${names[@]}"; do
    printf '      - run: echo "step %s $(date +%%s%%N)" >> "$SLIPWAY_BENCH_STAMPS"\n' "$n"
    printf '      - uses: slipway-dev/slipway/actions/%s@v0.0.0-overhead\n        env:\n          SLIPWAY_BENCH_NAME: %s\n' "$n" "$n"
  done
} >"$ws/.github/workflows/overhead.yml"
# The pipeline, step for step what pipeline_direct runs below.
uses() { printf '      - id: %s\n        uses: slipway-dev/slipway/actions/%s@v0.0.0-pipeline\n        with:\n' "$1" "$2"; }
{
  cat <<'YAML'
name: pipeline
on: push
jobs:
  pipeline:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
YAML
  uses plan build-matrix
  printf '          mode: plan\n          targets: ${{ env.TARGETS }}\n          shards: 2\n'
  for s in "${shards[@]}"; do
    uses "shard-$s" build-matrix
    printf '          module-dir: examples/hello\n          targets: ${{ env.TARGETS }}\n          shards: 2\n          shard: %s\n          dist: shards/slipway-dist-%s\n' "$s" "$s"
  done
  uses merge build-matrix
  printf '          mode: merge\n          inputs: shards\n          dist: dist\n'
  uses verify-mod verify-mod
  printf '          module-dir: examples/hello\n          dist: dist\n'
  uses layout publish
  printf '          mode: build\n          base: scratch\n'
  uses scan scan
  printf '          module-dir: examples/hello\n          cache-dir: ${{ env.FIXTURE }}\n          skip-db-update: true\n          vuln-db: file://${{ env.FIXTURE }}/vulndb\n'
  uses push publish
  printf '          base: scratch\n          repository: ${{ env.REPOSITORY }}\n'
  uses keygen sign
  printf '          mode: generate-key\n          key: keys/cosign.key\n          key-password: ${{ secrets.COSIGN_PASSWORD }}\n'
  uses sign sign
  printf '          key: keys/cosign.key\n          key-password: ${{ secrets.COSIGN_PASSWORD }}\n'
  uses verify sign
  printf '          mode: verify\n          public-key: ${{ steps.keygen.outputs.public-key }}\n'
} >"$ws/.github/workflows/pipeline.yml"
(cd "$ws" && git init -q -b main && git add -A &&
  git -c user.name=bench -c user.email=bench@example.com commit -q -m bench)

# --- the registry and the Trivy DB fixture -------------------------------------
port=5000
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
  secret: slipway-bench
YAML
OTEL_TRACES_EXPORTER=none "$tools/registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
fixture="$work/trivy"
log "writing the fixture Trivy DB"
(cd "$repo/internal/scan/trivy" && SLIPWAY_SCAN_FIXTURE_DIR="$fixture" GOEXPERIMENT=jsonv2 go test -count=1 -run '^TestWriteBenchFixture$' . >/dev/null)

export COSIGN_PASSWORD=slipway-bench # throwaway keys
act_run() { # WORKFLOW [--env K=V]...
  local wf=$1
  shift
  (cd "$ws" && HOME="$home" GITHUB_ACTIONS='' GITHUB_WORKSPACE='' "$act" push -W ".github/workflows/$wf" \
    -P ubuntu-latest=-self-hosted --no-cache-server \
    --local-repository "slipway-dev/slipway@v0.0.0-overhead=$work/release/overhead" \
    --local-repository "slipway-dev/slipway@v0.0.0-pipeline=$work/release/pipeline" \
    --local-repository "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684=$repo/internal/metadata/testdata/standins/cache" \
    --local-repository "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683=$repo/internal/metadata/testdata/standins/checkout" \
    --env "GOCACHE=$GOCACHE" --env "GOMODCACHE=$GOMODCACHE" --env "GOPROXY=$GOPROXY" --env "GOFLAGS=$GOFLAGS" \
    --secret "COSIGN_PASSWORD=$COSIGN_PASSWORD" "$@")
}
now() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# --- a. overhead ----------------------------------------------------------------
declare -A act_ms bash_ms
a_loads=()
for i in $(seq "$runs"); do
  a_loads+=("$(load)")
  stamps="$work/stamps-$i"
  log "overhead run $i/$runs (load ${a_loads[-1]})"
  if ! act_run overhead.yml --env "SLIPWAY_BENCH_STAMPS=$stamps" >"$work/overhead-$i.log" 2>&1; then
    cat "$work/overhead-$i.log" >&2
    exit 1
  fi
  for n in "${names[@]}"; do
    t0="$(awk -v n="$n" '$1 == "step" && $2 == n {print $3}' "$stamps")"
    t1="$(awk -v n="$n" '$1 == "binary" && $2 == n {print $3}' "$stamps")"
    act_ms[$n]+="$(((t1 - t0) / 1000)) "
  done
  # The same resolve + run steps in bash, as the runner would start them.
  bstamps="$work/bash-stamps-$i"
  for n in "${names[@]}"; do
    out="$work/gh-output"
    : >"$out"
    t0=$(date +%s%N)
    env SLIPWAY_ACTION="$n" SLIPWAY_ACTION_PATH="$work/release/overhead/actions/$n" SLIPWAY_ACTION_REF=v0.0.0-overhead \
      RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TOOL_CACHE="$toolcache" RUNNER_TEMP="$work" GITHUB_OUTPUT="$out" \
      bash --noprofile --norc -eo pipefail -c 'bash "$SLIPWAY_ACTION_PATH/../resolve.sh" resolve'
    bin="$(sed -n 's/^bin=//p' "$out")"
    SLIPWAY_BIN="$bin" SLIPWAY_BENCH_STAMPS="$bstamps" SLIPWAY_BENCH_NAME="$n" bash --noprofile --norc -eo pipefail -c '"$SLIPWAY_BIN"'
    t1="$(awk -v n="$n" '$1 == "binary" && $2 == n {print $3}' "$bstamps")"
    bash_ms[$n]+="$(((t1 - t0) / 1000)) "
  done
done

# --- b. the pipeline ---------------------------------------------------------------
pipeline_direct() { # REPOSITORY
  local b="$work/bin" d="$work/direct"
  rm -rf "$d"
  cp -R "$ws" "$d"
  (
    cd "$d"
    "$b/build-matrix" --mode plan --targets "$targets" --shards 2
    for s in "${shards[@]}"; do
      "$b/build-matrix" --module-dir examples/hello --targets "$targets" --shards 2 --shard "$s" --dist "shards/slipway-dist-$s"
    done
    "$b/build-matrix" --mode merge --inputs shards --dist dist
    "$b/verify-mod" --module-dir examples/hello --dist dist
    "$b/publish" --mode build --base scratch
    "$b/scan" --module-dir examples/hello --cache-dir "$fixture" --skip-db-update --vuln-db "file://$fixture/vulndb"
    "$b/publish" --base scratch --repository "$1"
    "$b/sign" --mode generate-key --key keys/cosign.key
    "$b/sign" --key keys/cosign.key
    "$b/sign" --mode verify --public-key keys/cosign.pub
  ) >"$work/direct.log" 2>&1 || { cat "$work/direct.log" >&2; exit 1; }
}
act_pipeline() { # REPOSITORY LOG
  if ! act_run pipeline.yml --env "TARGETS=$targets" --env "FIXTURE=$fixture" --env "REPOSITORY=$1" >"$2" 2>&1; then
    cat "$2" >&2
    exit 1
  fi
}
log "pipeline warm-up (not timed): page cache, Go build cache, registry"
pipeline_direct "127.0.0.1:$port/bench/direct-0"
act_pipeline "127.0.0.1:$port/bench/act-0" "$work/pipeline-0.log"
direct_s=() act_s=() b_loads=()
for i in $(seq "$runs"); do
  order=(direct act)
  if ((i % 2 == 0)); then order=(act direct); fi
  for mode in "${order[@]}"; do
    l="$(load)"
    b_loads+=("$l")
    log "pipeline run $i/$runs, $mode (load $l)"
    s=$(now)
    if [[ "$mode" == direct ]]; then
      pipeline_direct "127.0.0.1:$port/bench/direct-$i"
      direct_s+=("$(echo "$(now) - $s" | bc)")
    else
      act_pipeline "127.0.0.1:$port/bench/act-$i" "$work/pipeline-$i.log"
      act_s+=("$(echo "$(now) - $s" | bc)")
    fi
  done
done

# --- report ------------------------------------------------------------------------
cat <<MD
$(date -u +%F), $(go env GOVERSION), $(nproc) cores ($(uname -m)), act v0.2.89 (-P ubuntu-latest=-self-hosted), $runs runs.

### a. Step start → binary start (tool cache hit), milliseconds

| action | binary size | under act: median (runs) | resolve + run in bash: median (runs) |
|---|---:|---|---|
MD
for n in "${names[@]}"; do
  am="$(tr ' ' '\n' <<<"${act_ms[$n]}" | grep . | median)"
  bm="$(tr ' ' '\n' <<<"${bash_ms[$n]}" | grep . | median)"
  printf '| %s | %s MB | **%.0f** (%s) | **%.0f** (%s) |\n' "$n" "$(($(stat -c %s "$work/bin/$n") / 1000000))" \
    "$(echo "$am / 1000" | bc -l)" "$(for v in ${act_ms[$n]}; do printf '%d ' $((v / 1000)); done | sed 's/ $//')" \
    "$(echo "$bm / 1000" | bc -l)" "$(for v in ${bash_ms[$n]}; do printf '%d ' $((v / 1000)); done | sed 's/ $//')"
done
printf '\nLoad average (1 min) before each overhead run: %s\n' "${a_loads[*]}"
dm="$(printf '%s\n' "${direct_s[@]}" | median)"
amed="$(printf '%s\n' "${act_s[@]}" | median)"
cat <<MD

### b. Demo pipeline, seconds

| mode | median | runs |
|---|---:|---|
| binaries called directly | **$(printf '%.1f' "$dm")** | $(printf '%.1f ' "${direct_s[@]}") |
| one act job using the five actions | **$(printf '%.1f' "$amed")** | $(printf '%.1f ' "${act_s[@]}") |

Overhead of the actions under act: **$(printf '%+.1f' "$(echo "($amed - $dm) * 100 / $dm" | bc -l)") %** (median over median).
Load average (1 min) before each pipeline run, in run order: ${b_loads[*]}
MD
