#!/usr/bin/env bash
# The whole pipeline that exists today, on examples/hello, as a release job
# and its fan-out would run it: plan → two shards → merge, a full build with
# the reproducibility check, and a check that the merge equals the full build.
# Results land in dist/demo/. Run it from anywhere: `make demo`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=dist/demo
bin="$root/bin/build-matrix"
targets="linux/amd64,linux/arm64,linux/arm/7,darwin/arm64,windows/amd64"

echo "==> building build-matrix"
go build -trimpath -o "$bin" ./cmd/build-matrix

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  # Outside a git checkout there is no commit time: pin one.
  export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1763632800}"
fi
rm -rf "$out"

echo "==> verify-mod: go.mod/go.sum integrity and hygiene of examples/hello"
go build -trimpath -o "$root/bin/verify-mod" ./cmd/verify-mod
"$root/bin/verify-mod" --module-dir examples/hello --dist "$out/verify" --sarif "$out/verify/verify-mod.sarif" >/dev/null

echo "==> plan: $targets over at most 2 jobs"
matrix="$("$bin" --mode plan --targets "$targets" --shards 2)"
echo "$matrix"
mapfile -t shards < <(grep -o '"shard":"[^"]*"' <<<"$matrix" | cut -d'"' -f4)

for shard in "${shards[@]}"; do
  echo "==> build shard $shard (as one runner of the matrix would)"
  "$bin" --module-dir examples/hello --targets "$targets" --shards 2 --shard "$shard" \
    --dist "$out/shards/slipway-dist-$shard" >/dev/null
done

echo "==> merge the shards (every file re-hashed against its shard manifest)"
"$bin" --mode merge --inputs "$out/shards" --dist "$out/merged" >/dev/null

echo "==> full build in one job, with verify-reproducible"
"$bin" --module-dir examples/hello --targets "$targets" --dist "$out/full" --verify-reproducible >/dev/null

echo "==> the merge equals the full build"
cmp "$out/merged/manifest.json" "$out/full/manifest.json"
(cd "$out/merged" && sha256sum -c --strict ./*_checksums.txt)

echo "==> publish: multi-arch images of the linux binaries into an OCI layout (no Docker)"
go build -trimpath -o "$root/bin/publish" ./cmd/publish
"$root/bin/publish" --mode build --dist "$out/merged" --base scratch >/dev/null

echo "==> publish: push them to an in-process registry on 127.0.0.1 and list the index"
tools_bin="$(bash tools/install.sh crane)"
port=5077
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
"$tools_bin/crane" registry serve --address "127.0.0.1:$port" >/dev/null 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
digest="$("$root/bin/publish" --dist "$out/merged" --base scratch --repository "127.0.0.1:$port/demo/hello" | sed -n 's/^digest=//p')"
"$tools_bin/crane" manifest "127.0.0.1:$port/demo/hello@$digest"
echo

echo "==> scan: binaries, module and images with Trivy as a library, SBOMs and SARIF"
echo "    OFFLINE DEMO: the vulnerability DB is Slipway's test fixture (one advisory: golang.org/x/text"
echo "    < 0.3.8, CVE-2022-32149), not Trivy's real DB, which cannot be downloaded here"
(cd cmd/scan && GOEXPERIMENT=jsonv2 go build -trimpath -o "$root/bin/scan" .)
fixture="$root/.cache/demo-trivy"
if [[ ! -f "$fixture/db/trivy.db" ]]; then
  (cd internal/scan/trivy && SLIPWAY_SCAN_FIXTURE_DIR="$fixture" GOEXPERIMENT=jsonv2 go test -count=1 -run TestWriteBenchFixture . >/dev/null)
fi
"$root/bin/scan" --dist "$out/merged" --module-dir examples/hello --cache-dir "$fixture" --skip-db-update \
  --vuln-db "file://$fixture/vulndb" >/dev/null

echo "==> sign: a demo cosign key pair, then every file and every platform image, with SLSA provenance"
go build -trimpath -o "$root/bin/sign" ./cmd/sign
export COSIGN_PASSWORD=slipway-demo # a demo key only: real releases use a secret, KMS or keyless
"$root/bin/sign" --mode generate-key --key "$out/keys/cosign.key" >/dev/null
"$root/bin/sign" --dist "$out/merged" --key "$out/keys/cosign.key" >/dev/null

echo "==> sign: verify every signature and attestation with the public key"
"$root/bin/sign" --mode verify --dist "$out/merged" --public-key "$out/keys/cosign.pub" >/dev/null

cat <<MSG

Done. Results in $root/$out:
  verify/       verify-mod's manifest (module section) and SARIF report
  full/         one-job build: binaries, archives, checksums, manifest.json
  shards/       one dist per matrix shard, as actions/upload-artifact would store them
  merged/       the fan-in of the shards, byte-identical to full/, then published:
  merged/oci/   the multi-arch image as an OCI image layout (manifest.json: images, index)
  merged/sbom/  CycloneDX and SPDX SBOMs (one combined for the multi-arch image); merged/scan/: SARIF, JSON
  merged/sig/   .sig signatures, Sigstore bundles and SLSA provenance (manifest.json: signatures)
  keys/         the demo cosign key pair (password slipway-demo)
MSG
