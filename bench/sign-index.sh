#!/usr/bin/env bash
# Benchmark for issue 4: signing a 4-platform index recursively (the index
# and its four platform manifests) with one `sign` run vs
# `cosign sign --recursive --key` on the same CNCF registry on 127.0.0.1.
# Target: ratio sign/cosign <= 1.0. Each round signs fresh copies of the
# index (crane copy) so neither tool appends to the other's signatures.
# Usage: bash bench/sign-index.sh [ROUNDS]   (default 5; prints the medians)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-5}"
work="$(mktemp -d)"
registry_pid=
cleanup() {
  if [[ -n "$registry_pid" ]]; then kill "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
tools="$(bash "$root/tools/install.sh" cosign crane registry)"
(cd "$root" && go build -o "$work/sign" ./cmd/sign && go build -o "$work/build-matrix" ./cmd/build-matrix && go build -o "$work/publish" ./cmd/publish)

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
YML
"$tools/registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
host="127.0.0.1:$port"

# The example's linux binaries for four platforms, published as one index.
cp -r "$root/examples/hello" "$work/hello"
git -C "$work/hello" init -q && git -C "$work/hello" add -A &&
  git -C "$work/hello" -c user.name=bench -c user.email=bench@example.com commit -qm bench
(cd "$work/hello" && ../build-matrix --targets linux/amd64,linux/arm64,linux/arm/7,linux/ppc64le --archives none >/dev/null &&
  ../publish --base scratch --repository "$host/bench/src" --tags v1 --tag-strategy none >/dev/null 2>&1)

export COSIGN_PASSWORD=bench COSIGN_YES=true TUF_ROOT="$work/tuf" GITHUB_ACTIONS='' HOME="$work" DOCKER_CONFIG="$work/.docker"
cd "$work"
./sign --mode generate-key --key cosign.key >/dev/null 2>&1
ours=() theirs=()
for i in $(seq 1 "$rounds"); do
  "$tools/crane" copy "$host/bench/src:v1" "$host/bench/ours$i:v1" >/dev/null 2>&1
  "$tools/crane" copy "$host/bench/ours$i:v1" "$host/bench/cos$i:v1" >/dev/null 2>&1
  digest="$("$tools/crane" digest "$host/bench/cos$i:v1")"
  t0=$(date +%s.%N)
  ./sign --key cosign.key --images "$host/bench/ours$i:v1" --attest=false --storage tag >/dev/null 2>&1
  t1=$(date +%s.%N)
  "$tools/cosign" sign --key cosign.key --recursive --tlog-upload=false --allow-insecure-registry "$host/bench/cos$i@$digest" >/dev/null 2>&1
  t2=$(date +%s.%N)
  ours+=("$(echo "$t1 - $t0" | bc)") theirs+=("$(echo "$t2 - $t1" | bc)")
  # Both wrote five signatures (index + 4 platforms): count the .sig tags.
  n_ours=$("$tools/crane" ls "$host/bench/ours$i" | grep -c '\.sig$')
  n_cos=$("$tools/crane" ls "$host/bench/cos$i" | grep -c '\.sig$')
  echo "round $i: sign=${ours[-1]}s ($n_ours .sig tags) cosign=${theirs[-1]}s ($n_cos .sig tags) load=$(cut -d' ' -f1 /proc/loadavg)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mo="$(median "${ours[@]}")" mc="$(median "${theirs[@]}")"
echo "median: sign=${mo}s cosign=${mc}s ratio=$(echo "scale=3; $mo / $mc" | bc)"
