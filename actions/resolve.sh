#!/usr/bin/env bash
# Finds the Slipway binary a composite action runs, and never runs one it
# cannot verify. Called by every actions/<name>/action.yml:
#
#   resolve.sh resolve   1. the runner's tool cache,
#                        2. the release asset for the action's own version (actions/version,
#                           else the ref), checked against actions/checksums.txt
#                           committed at that version;
#                        sets bin=<path>, or (neither applies) cache-path and
#                        cache-key for actions/cache and the build step
#   resolve.sh build     3. the binary built from the action's own source with the
#                           runner's Go (reused when actions/cache restored it); bin=<path>
#
# Environment: SLIPWAY_ACTION (the action's name), SLIPWAY_ACTION_PATH
# (github.action_path), SLIPWAY_ACTION_REF (github.action_ref), RUNNER_OS,
# RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT; SLIPWAY_RELEASE_URL
# overrides where release assets are downloaded from (tests serve them on
# 127.0.0.1). Inputs of the action never reach this script.
set -euo pipefail

die() { echo "::error title=Slipway::$*" >&2; exit 1; }
output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

phase="${1:-resolve}"
name="${SLIPWAY_ACTION:?SLIPWAY_ACTION is not set}"
case "$name" in build-matrix | verify-mod | sign | scan | publish) ;; *) die "unknown action $name" ;; esac
root="$(cd "${SLIPWAY_ACTION_PATH:?SLIPWAY_ACTION_PATH is not set}/../.." && pwd)"
ref="${SLIPWAY_ACTION_REF:-}"

case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) die "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) die "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
esac
exe=""
if [[ "$os" == windows ]]; then exe=.exe; fi
asset="${name}_${os}_${arch}${exe}"
cache_root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}/slipway"

# sha256 FILE prints its digest. openssl goes first: it uses the CPU's SHA
# instructions (coreutils' sha256sum does not), 4x faster on the 200 MB scan
# binary that every step verifies.
sha256() {
  if command -v openssl >/dev/null; then
    openssl dgst -sha256 -r "$1" | cut -d' ' -f1
  elif command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The source build is stripped as release builds are (-s -w): half the size,
# so half the hashing on every later step that finds it in the cache.
ldflags="-s -w -buildid="

# source_key names a build of this source tree by this Go for this platform.
source_key() {
  local tree
  # One hashing process for every file (not one per file: 0.5 s less a step).
  # The build flags are part of what is named: a cache built otherwise is not reused.
  tree="$(cd "$root" && {
    printf 'ldflags %s\n' "$ldflags"
    find cmd internal go.mod go.sum -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -not -path '*/testdata/*' -print0 |
      LC_ALL=C sort -z | sha256_files
  } | sha256_stdin | cut -c1-16)"
  printf 'slipway-%s-%s-%s-%s-%s' "$name" "$os" "$arch" "$(go env GOVERSION)" "$tree"
}

sha256_stdin() {
  if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi
}

# sha256_files hashes the NUL-separated file names on stdin: "<hex>  <name>" lines.
sha256_files() {
  if command -v sha256sum >/dev/null; then xargs -0 sha256sum; else xargs -0 shasum -a 256; fi
}

# The digest this version of the action expects for the asset, if it is a release.
want=""
if [[ -f "$root/actions/checksums.txt" ]]; then
  want="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$root/actions/checksums.txt")"
fi

# The release this tree is: actions/version, committed with checksums.txt in
# the release commit, so an action pinned by that commit's SHA (github.action_ref
# is then the SHA) still finds its release; else the ref itself (a tag).
version="$ref"
if [[ -f "$root/actions/version" ]]; then
  version="$(tr -d ' \r\n' <"$root/actions/version")"
  [[ "$version" =~ ^v[0-9A-Za-z.+-]+$ ]] || die "actions/version holds '$version', not a version tag"
fi

if [[ "$phase" == resolve ]]; then
  if [[ -n "$want" && -n "$version" ]]; then
    cached="$cache_root/$version/$os-$arch/$name$exe"
    # 1. The tool cache, verified like a download: a cache is not a trust root.
    if [[ -f "$cached" && "$(sha256 "$cached")" == "$want" ]]; then
      output bin "$cached"
      exit 0
    fi
    # 2. The release asset of this version.
    url="${SLIPWAY_RELEASE_URL:-https://github.com/slipway-dev/slipway/releases/download}/$version/$asset"
    tmp="$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/slipway-download.XXXXXX")"
    trap 'rm -f "$tmp"' EXIT
    if curl --fail --silent --show-error --location --retry 4 --retry-delay 2 --connect-timeout 10 --max-time 300 -o "$tmp" "$url"; then
      got="$(sha256 "$tmp")"
      if [[ "$got" != "$want" ]]; then
        die "$asset from $url has sha256 $got, but actions/checksums.txt at $version says $want: refusing to run it"
      fi
      mkdir -p "$(dirname "$cached")"
      chmod 0755 "$tmp"
      mv -f "$tmp" "$cached"
      output bin "$cached"
      exit 0
    fi
    echo "::warning title=Slipway::could not download $url; building $name from the action's source instead"
  fi
  # 3. Neither: tell actions/cache where a source build lives and under which key.
  if ! command -v go >/dev/null; then
    die "$name must be built from the action's source (ref '${ref:-local}' has no verified release asset), and Go is not installed: add actions/setup-go before this step"
  fi
  key="$(source_key)"
  output cache-path "$cache_root/src/$key"
  output cache-key "$key"
  exit 0
fi

[[ "$phase" == build ]] || die "usage: resolve.sh resolve|build"
key="$(source_key)"
bin="$cache_root/src/$key/$name$exe"
if [[ ! -x "$bin" ]]; then
  echo "building $name from $root ($key)"
  env=(CGO_ENABLED=0 GOFLAGS=-mod=readonly)
  if [[ -f "$root/cmd/$name/go.mod" ]]; then
    # A command with its own module (scan links Trivy, which needs the jsonv2 experiment).
    env+=(GOEXPERIMENT=jsonv2)
    (cd "$root/cmd/$name" && env "${env[@]}" go build -trimpath -ldflags="$ldflags" -o "$bin" .)
  else
    (cd "$root" && env "${env[@]}" go build -trimpath -ldflags="$ldflags" -o "$bin" "./cmd/$name")
  fi
fi
output bin "$bin"
