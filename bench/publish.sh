#!/usr/bin/env bash
# Benchmark: publish 4 platform images of examples/hello to a local registry
# with slipway publish, with ko v0.19.1 (build cache warm, same base and
# platforms) and with a crane script (crane append + crane index append) on
# the same prebuilt binaries; then a second slipway publish of unchanged
# binaries (blobs uploaded must be 0). The arms run interleaved, run by run,
# so that load from other processes hits them alike. Afterwards one untimed
# pass through a second registry with its access log on counts the HTTP
# requests each of slipway (fresh and again) and the crane script sends.
#
#   bash bench/publish.sh [runs]      # default 3 runs each, median reported
#   BASELINE_PUBLISH=/path/to/old/publish bash bench/publish.sh 5
#                                     # also time (and count) another publish
#                                     # binary, e.g. one built before a change
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
tools="$(bash "$root/tools/install.sh" registry crane ko)"
work="$(mktemp -d)"
baseline="${BASELINE_PUBLISH:-}"
stop() { if [[ -n "${1:-}" ]]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi; }
trap 'stop "${reg_pid:-}"; stop "${count_pid:-}"; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host="127.0.0.1:$port"
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: $host, secret: bench}
YML
OTEL_TRACES_EXPORTER=none "$tools/registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -fs "http://$host/v2/" >/dev/null && break; sleep 0.1; done

platforms=linux/amd64,linux/arm64,linux/arm/7,linux/riscv64
oci_platforms=linux/amd64,linux/arm64,linux/arm/v7,linux/riscv64
cp -r "$root/examples/hello" "$work/hello"
(cd "$work/hello" && git init -q && git add -A && git -c user.name=b -c user.email=b@b -c commit.gpgsign=false commit -qm bench --date=2026-11-20T10:00:00Z && git tag v1.2.3)
(cd "$root" && go build -o "$work/bin/build-matrix" ./cmd/build-matrix && go build -o "$work/bin/publish" ./cmd/publish)
(cd "$work/hello" && "$work/bin/build-matrix" --targets "$platforms" --dist dist >/dev/null 2>&1)

# The same base for all three: a multi-arch base pushed into the registry
# (the distroless default cannot be pulled here): scratch images of a file.
(cd "$work/hello" && "$work/bin/publish" --mode build --base scratch --dist dist >/dev/null 2>&1)
"$tools/crane" push "$work/hello/dist/oci" "$host/bench/base:1" >/dev/null 2>&1 || true
base="$host/bench/base:1"
"$tools/crane" digest "$base" >/dev/null

# publish BIN HOST REPO: one slipway publish of the 4 platforms.
publish() {
  (cd "$work/hello" && "$1" --repository "$2/bench/$3" --base "$2/bench/base:1" --platforms "$oci_platforms")
}

# crane_script HOST REPO: crane append + crane mutate per platform, then
# crane index append, on the same binaries and base.
crane_script() {
  local host=$1 repo=$2 refs=() p slug layer ref
  for p in linux/amd64 linux/arm64 linux/arm/v7 linux/riscv64; do
    slug=$(echo "$p" | sed 's#linux/##; s#/v7#_7#; s#/#_#g')
    layer="$work/layer-$slug.tar"
    mkdir -p "$work/root-$slug/usr/local/bin"; cp "$work/hello/dist/hello_linux_$slug/hello" "$work/root-$slug/usr/local/bin/hello"
    tar -C "$work/root-$slug" -cf "$layer" usr
    ref="$host/bench/$repo:$slug"
    "$tools/crane" append --platform "$p" -b "$host/bench/base:1" -f "$layer" -t "$ref" >/dev/null 2>&1
    "$tools/crane" mutate "$ref" --entrypoint /usr/local/bin/hello -t "$ref" >/dev/null 2>&1
    refs+=(-m "$ref")
  done
  "$tools/crane" index append "${refs[@]}" -t "$host/bench/$repo:1.2.3" >/dev/null 2>&1
}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A times

for i in $(seq "$runs"); do
  # slipway publish: a fresh repository each run (all blobs uploaded).
  t0=$(now); publish "$work/bin/publish" "$host" "slipway-$i" >"$work/slipway.out" 2>"$work/slipway.err"; t1=$(now)
  times[slipway]+="$(echo "$t1 - $t0" | bc) "
  # second publish of unchanged binaries into the same repository.
  t0=$(now); publish "$work/bin/publish" "$host" "slipway-$i" >"$work/again.out" 2>"$work/again.err"; t1=$(now)
  times[again]+="$(echo "$t1 - $t0" | bc) "
  grep -o 'pushed: [0-9]* blobs uploaded' "$work/again.err" | tail -1 > "$work/again.blobs"

  if [[ -n "$baseline" ]]; then
    t0=$(now); publish "$baseline" "$host" "baseline-$i" >/dev/null 2>"$work/baseline.err"; t1=$(now)
    times[baseline]+="$(echo "$t1 - $t0" | bc) "
    t0=$(now); publish "$baseline" "$host" "baseline-$i" >/dev/null 2>"$work/baseline.err"; t1=$(now)
    times[baseline_again]+="$(echo "$t1 - $t0" | bc) "
  fi

  # ko: builds from source (cache warm after the first run), same base and platforms.
  t0=$(now); (cd "$work/hello" && KO_DOCKER_REPO="$host/bench/ko-$i" KO_DEFAULTBASEIMAGE="$base" GOFLAGS=-trimpath "$tools/ko" build --bare --platform="$oci_platforms" . >/dev/null 2>"$work/ko.err"); t1=$(now)
  times[ko]+="$(echo "$t1 - $t0" | bc) "

  # crane script: crane append per platform, then crane index append.
  t0=$(now); crane_script "$host" "crane-$i"; t1=$(now)
  times[crane]+="$(echo "$t1 - $t0" | bc) "
done

# Request counts: the same arms once more, untimed, against a registry with
# its access log on (the base pushed there first). Each line of the log is
# one request; they are grouped by method and kind of path.
cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chost="127.0.0.1:$cport"
cat > "$work/count.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $work/count-registry}}
http: {addr: $chost, secret: bench}
YML
OTEL_TRACES_EXPORTER=none "$tools/registry" serve "$work/count.yml" >"$work/count.log" 2>&1 &
count_pid=$!
for _ in $(seq 100); do curl -fs "http://$chost/v2/" >/dev/null && break; sleep 0.1; done
"$tools/crane" push "$work/hello/dist/oci" "$chost/bench/base:1" >/dev/null 2>&1
requests() { grep -c '" [0-9][0-9][0-9] ' "$work/count.log" || true; }
# count NAME CMD...: run CMD and summarise the requests it sent.
count() {
  local name=$1 before after
  shift
  before=$(requests)
  "$@" >/dev/null 2>&1
  sleep 0.2 # the access log is written after the response
  after=$(requests)
  printf '%s: %d requests (' "$name" "$((after - before))"
  grep '" [0-9][0-9][0-9] ' "$work/count.log" | tail -n "+$((before + 1))" | head -n "$((after - before))" |
    awk '{m=substr($6,2); p=$7; k="other";
      if (p ~ /^\/v2\/?$/) k="ping"; else if (p ~ /\/blobs\/uploads/) k="blob upload"; else if (p ~ /\/blobs\//) k="blob";
      else if (p ~ /\/manifests\//) k="manifest"; else if (p ~ /\/tags\/list/) k="tag list";
      n[m " " k]++} END {for (x in n) print n[x], x}' | sort -k2 | paste -sd, - | sed 's/,/, /g' | tr -d '\n'
  printf ')\n'
}
counts="$(
  count "slipway publish, fresh repository" publish "$work/bin/publish" "$chost" count-slipway
  count "slipway publish again, unchanged" publish "$work/bin/publish" "$chost" count-slipway
  if [[ -n "$baseline" ]]; then
    count "baseline publish, fresh repository" publish "$baseline" "$chost" count-baseline
    count "baseline publish again, unchanged" publish "$baseline" "$chost" count-baseline
  fi
  count "crane script" crane_script "$chost" count-crane
)"

s=$(echo "${times[slipway]}" | tr ' ' '\n' | grep . | median)
a=$(echo "${times[again]}" | tr ' ' '\n' | grep . | median)
k=$(echo "${times[ko]}" | tr ' ' '\n' | grep . | median)
c=$(echo "${times[crane]}" | tr ' ' '\n' | grep . | median)
printf 'runs: %s (median)\n' "$runs"
printf 'slipway publish (4 platforms, fresh repository): %.2fs\n' "$s"
printf 'slipway publish again (unchanged): %.2fs, %s\n' "$a" "$(cat "$work/again.blobs")"
printf 'ko build (cache warm): %.2fs\n' "$k"
printf 'crane append + index append: %.2fs\n' "$c"
printf 'ratio slipway/ko: %.2f\n' "$(echo "$s / $k" | bc -l)"
printf 'ratio slipway/crane: %.2f\n' "$(echo "$s / $c" | bc -l)"
if [[ -n "$baseline" ]]; then
  b=$(echo "${times[baseline]}" | tr ' ' '\n' | grep . | median)
  ba=$(echo "${times[baseline_again]}" | tr ' ' '\n' | grep . | median)
  printf 'baseline publish (fresh): %.2fs, again: %.2fs\n' "$b" "$ba"
  printf 'ratio baseline/crane: %.2f\n' "$(echo "$b / $c" | bc -l)"
fi
printf 'all runs (s):\n'
for k in slipway again baseline baseline_again ko crane; do
  [[ -n "${times[$k]:-}" ]] && printf '  %-15s %s\n' "$k" "${times[$k]}"
done
printf 'requests:\n%s\n' "$counts"
