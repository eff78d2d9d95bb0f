#!/usr/bin/env bash
# Builds the third-party CLIs pinned by `tool` lines in tools/go.mod (and in
# tools/*/go.mod: a tool whose dependencies clash with the others' gets a
# module of its own, e.g. tools/actionlint) into a cache directory, and prints
# that directory. A tool is rebuilt only when its module's go.sum (or the Go
# version) changes, or its binary is missing: each binary has a stamp file.
#
#   bash tools/install.sh              # every pinned tool
#   bash tools/install.sh goreleaser   # only the named ones (binary names)
#
# A binary is named after its package, except in a module directory whose
# name extends that name (tools/cosign3 builds cosign v3 as `cosign3`).
#
# Env: SLIPWAY_TOOLS_DIR  output dir (default <repo>/.cache/tools/bin)
set -euo pipefail

tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$tools_dir")"
out_dir="${SLIPWAY_TOOLS_DIR:-$repo_root/.cache/tools/bin}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
go_version="$(go env GOVERSION)"
want=("$@")
found=()

# bin_name PKG: the name go build gives the binary (a /vN suffix is skipped).
bin_name() {
  local pkg=$1 name="${1##*/}"
  if [[ "$name" =~ ^v[0-9]+$ ]]; then
    pkg="${pkg%/*}"
    name="${pkg##*/}"
  fi
  printf '%s\n' "$name"
}

# wanted NAME: true when no names were given or NAME is one of them.
wanted() {
  local w
  ((${#want[@]} == 0)) && return 0
  for w in "${want[@]}"; do
    [[ "$w" == "$1" ]] && return 0
  done
  return 1
}

modules=("$tools_dir")
for mod in "$tools_dir"/*/; do
  [[ -f "$mod/go.mod" ]] && modules+=("${mod%/}")
done

for mod in "${modules[@]}"; do
  # The tool directives, read from go.mod as `go mod edit` writes them (no
  # package loading: one broken module does not stop the others' tools).
  mapfile -t packages < <(awk '
    $1 == "tool" && $2 == "(" { block = 1; next }
    block && $1 == ")" { block = 0; next }
    block && NF && $1 !~ /^\/\// { print $1 }
    $1 == "tool" && $2 != "(" && NF >= 2 { print $2 }' "$mod/go.mod")
  if ((${#packages[@]} == 0)); then
    echo "install.sh: no tool lines in $mod/go.mod" >&2
    exit 1
  fi
  stamp_value="$(sha256sum <"$mod/go.sum" | cut -d' ' -f1) $go_version"
  for pkg in "${packages[@]}"; do
    name="$(bin_name "$pkg")"
    # A second pin of the same tool lives in a module named after it with a
    # suffix (tools/cosign3 holds cosign v3): the binary takes that name.
    mod_name="${mod##*/}"
    if [[ "$mod_name" == "$name"?* ]]; then
      name="$mod_name"
    fi
    wanted "$name" || continue
    found+=("$name")
    bin="$out_dir/$name"
    stamp="$out_dir/.$name.stamp"
    if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$stamp_value" ]]; then
      echo "install.sh: $name up to date" >&2
      continue
    fi
    echo "install.sh: building $name ($pkg, ${mod#"$repo_root"/}/go.mod)" >&2
    start=$(date +%s)
    tmp="$(mktemp "$out_dir/.$name.XXXXXX")" # another install.sh may run at once
    if ! (cd "$mod" && GOFLAGS=-mod=readonly go build -trimpath -o "$tmp" "$pkg"); then
      rm -f "$tmp"
      exit 1
    fi
    chmod 0755 "$tmp"
    mv -f "$tmp" "$bin"
    printf '%s\n' "$stamp_value" >"$stamp"
    echo "install.sh: built $name in $(($(date +%s) - start))s" >&2
  done
done

for w in "${want[@]}"; do
  if [[ " ${found[*]} " != *" $w "* ]]; then
    echo "install.sh: no pinned tool named $w" >&2
    exit 1
  fi
done
printf '%s\n' "$out_dir"
