#!/usr/bin/env bash
# Benchmark for issue 4: 200 blobs signed in one `sign` run vs 200
# `cosign sign-blob --key` invocations on the same files (target >= 20x).
# Usage: bash bench/sign.sh [N]   (cosign from tools/cosign, built by tools/install.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cosign="$(bash "$root/tools/install.sh" cosign)/cosign"
(cd "$root" && go build -o "$work/sign" ./cmd/sign)
export COSIGN_PASSWORD=bench COSIGN_YES=true TUF_ROOT="$work/tuf" GITHUB_ACTIONS=
cd "$work"
mkdir files
for i in $(seq 1 "$n"); do head -c 65536 /dev/urandom >"files/f$i.bin"; done
./sign --mode generate-key --key cosign.key >/dev/null 2>&1
paths="$(ls files/* | paste -sd, -)"
t0=$(date +%s.%N)
./sign --key cosign.key --paths "$paths" --attest=false >/dev/null 2>&1
t1=$(date +%s.%N)
mkdir cos
for f in files/*; do "$cosign" sign-blob --key cosign.key --tlog-upload=false --output-signature "cos/$(basename "$f").sig" "$f" >/dev/null 2>&1; done
t2=$(date +%s.%N)
ours=$(echo "$t1 - $t0" | bc); theirs=$(echo "$t2 - $t1" | bc)
echo "blobs=$n sign=${ours}s cosign=${theirs}s speedup=$(echo "scale=1; $theirs / $ours" | bc)x"
