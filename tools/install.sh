#!/usr/bin/env bash
# Builds the third-party CLIs pinned in tools/go.mod into a cache directory and
# prints that directory. A tool is rebuilt only when tools/go.sum changes (or
# its binary is missing): each binary has a stamp file holding the go.sum hash.
#
#   bash tools/install.sh            # all pinned tools
#   bash tools/install.sh goreleaser # only the named ones (by binary name)
#
# Env: SLIPWAY_TOOLS_DIR  output dir (default <repo>/.cache/tools/bin)
set -euo pipefail

tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$tools_dir")"
out_dir="${SLIPWAY_TOOLS_DIR:-$repo_root/.cache/tools/bin}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

# The tool packages, as listed in tools/go.mod's tool block.
mapfile -t packages < <(cd "$tools_dir" && GOFLAGS=-mod=readonly go list -f '{{.ImportPath}}' tool)
if [[ ${#packages[@]} -eq 0 ]]; then
  echo "install.sh: no tool lines in $tools_dir/go.mod" >&2
  exit 1
fi

sum_hash="$(sha256sum "$tools_dir/go.sum" "$tools_dir/go.mod" | sha256sum | cut -d' ' -f1)"
go_version="$(go env GOVERSION)"
stamp_value="$sum_hash $go_version"

want=("$@")
for pkg in "${packages[@]}"; do
  name="${pkg##*/}"
  # A major-version suffix (…/goreleaser/v2) is not the binary name.
  if [[ "$name" =~ ^v[0-9]+$ ]]; then
    trimmed="${pkg%/*}"
    name="${trimmed##*/}"
  fi
  if [[ ${#want[@]} -gt 0 ]]; then
    selected=false
    for w in "${want[@]}"; do
      if [[ "$w" == "$name" ]]; then selected=true; fi
    done
    if [[ "$selected" != true ]]; then continue; fi
  fi
  bin="$out_dir/$name"
  stamp="$out_dir/.$name.stamp"
  if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$stamp_value" ]]; then
    echo "install.sh: $name up to date" >&2
    continue
  fi
  echo "install.sh: building $name ($pkg)" >&2
  start=$(date +%s)
  (cd "$tools_dir" && GOFLAGS=-mod=readonly go build -trimpath -o "$bin.tmp" "$pkg")
  mv -f "$bin.tmp" "$bin"
  printf '%s\n' "$stamp_value" > "$stamp"
  echo "install.sh: built $name in $(( $(date +%s) - start ))s" >&2
done

printf '%s\n' "$out_dir"
