#!/usr/bin/env bash
# Benchmarks the build-matrix action against its limit (the same `go build`
# commands run directly) and against GoReleaser, on two subjects:
#   hello - examples/hello (its own module, main package .)
#   cli   - a real mid-size Go CLI taken from the module proxy (default yq)
# Every subject is copied into a temp dir and made a git repo with one commit
# and a tag (v1.2.3), so version detection works and GoReleaser has its remote.
#
# Arms, all with the same targets, flags, ldflags, parallelism and output
# parent dir (<subject>/bench-out/<arm>):
#   a  limit: go build per target, run directly, PARALLELISM at once
#   b  build-matrix --archives none --checksums none
#   c  goreleaser build --snapshot --clean
#   d  build-matrix --archives auto --checksums sha256
#   e  goreleaser release --snapshot --clean --skip=publish
# Each repetition runs every arm (order rotated per repetition), so the arms
# are measured side by side in the same run; the table shows medians.
#   cold: a fresh empty GOCACHE for every single run (GOMODCACHE stays warm)
#   warm: one GOCACHE per subject, primed by one untimed run of every arm
# Plus plan mode: `build-matrix --mode plan --targets all`, start to finish.
#
# Usage: bash bench/build-matrix.sh
# Env (all optional):
#   BENCH_RUNS=3          repetitions per arm (medians), warm and cold
#   BENCH_COLD_RUNS=N     cold repetitions (default: BENCH_RUNS)
#   BENCH_QUICK=1         smoke test: 1 run, warm only, 5 plan runs, the
#                         warm GOCACHE defaults to `go env GOCACHE`
#   BENCH_MODES="cold warm"   BENCH_SUBJECTS="hello cli"   BENCH_ARMS="a b c d e"
#   BENCH_PLAN_RUNS=20    plan-mode runs
#   BENCH_PARALLELISM=N   default: nproc
#   BENCH_TARGETS=...     comma-separated goos/goarch (default: the 6 below)
#   BENCH_CLI_MODULE=github.com/mikefarah/yq/v4@v4.47.1   BENCH_CLI_MAIN=.
#   BENCH_WARM_GOCACHE=DIR  warm cache to use (default: a fresh one per subject)
#   BENCH_WORKDIR=DIR     where subjects and caches go (default: mktemp -d)
#   BENCH_RESULTS_FILE=F  where the table goes (default below)
#   BENCH_KEEP=1          keep the work dir
#   BENCH_HYPERFINE=0     time plan mode with a date loop even if hyperfine exists
#   BUILD_MATRIX_BIN=...  default: go build -o bin/build-matrix ./cmd/build-matrix
#   GORELEASER_BIN=...    default: built by tools/install.sh (pinned in tools/go.mod)
# Arms whose tool is missing are shown as "pending"; a failing arm as "failed"
# (its log is printed) and the script then exits 1 after writing the table.
# Output: a markdown table on stdout, also written to
# bench/results/build-matrix-<UTC date>[-quick].md, and rewritten there after
# every timed run while the benchmark goes on (a stopped run keeps its data).
# Modes run in the order given (BENCH_MODES="warm cold" puts the cheap part first).
# Duration on 2 cores (yq v4.47.1): one cold run of one arm is ~75 s for hello
# and ~330 s for yq, so the default (3 cold + 3 warm, 5 arms, 2 subjects) takes
# about 1 h 50 min; BENCH_COLD_RUNS=1 about 40 min; BENCH_QUICK=1 a few minutes
# once the Go build cache is warm.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$script_dir")"

quick="${BENCH_QUICK:-0}"
if [[ "$quick" == 1 ]]; then
  runs="${BENCH_RUNS:-1}"
  read -ra modes <<<"${BENCH_MODES:-warm}"
  plan_runs="${BENCH_PLAN_RUNS:-5}"
  warm_gocache="${BENCH_WARM_GOCACHE:-$(go env GOCACHE)}"
else
  runs="${BENCH_RUNS:-3}"
  read -ra modes <<<"${BENCH_MODES:-cold warm}"
  plan_runs="${BENCH_PLAN_RUNS:-20}"
  warm_gocache="${BENCH_WARM_GOCACHE:-}"
fi
cold_runs="${BENCH_COLD_RUNS:-$runs}"
read -ra subjects <<<"${BENCH_SUBJECTS:-hello cli}"
read -ra arms <<<"${BENCH_ARMS:-a b c d e}"
parallelism="${BENCH_PARALLELISM:-$(nproc)}"
targets="${BENCH_TARGETS:-linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64}"
IFS=, read -ra target_list <<<"$targets"
cli_module="${BENCH_CLI_MODULE:-github.com/mikefarah/yq/v4@v4.47.1}"
cli_main="${BENCH_CLI_MAIN:-.}"
version=1.2.3
commit_date=2025-01-01T00:00:00Z # the subjects' one commit, fixed for reproducibility

log() { printf '%s\n' "$*" >&2; }
die() { log "build-matrix.sh: $*"; exit 1; }

for n in "$runs" "$cold_runs" "$plan_runs" "$parallelism"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "run counts and parallelism must be positive integers, got $n"
done
for arm in "${arms[@]}"; do
  [[ "$arm" =~ ^[abcde]$ ]] || die "unknown arm $arm (arms: a b c d e)"
done
for mode in "${modes[@]}"; do
  [[ "$mode" == cold || "$mode" == warm ]] || die "unknown mode $mode (modes: cold warm)"
done

bench_start="$(date +%s)"
user_goflags="$(go env GOFLAGS)"
load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
if [[ -n "${BENCH_WORKDIR:-}" ]]; then
  work="$BENCH_WORKDIR"
  mkdir -p "$work"
  work="$(cd "$work" && pwd)"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/bench-build-matrix.XXXXXX")"
fi
cleanup() {
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
    log "work dir kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$work/subjects" "$work/logs" "$work/sums"

# ---------------------------------------------------------------- tools

declare -A unavailable=() # arm -> why it is pending

goreleaser="${GORELEASER_BIN:-}"
if [[ -z "$goreleaser" ]]; then
  log "== GoReleaser (tools/install.sh; ~4 min the first time)"
  if tools_bin="$(bash "$repo_root/tools/install.sh" goreleaser)"; then
    goreleaser="$tools_bin/goreleaser"
  fi
fi
if [[ -z "$goreleaser" || ! -x "$goreleaser" ]]; then
  unavailable[c]="GoReleaser not built"
  unavailable[e]="GoReleaser not built"
  goreleaser_version="unavailable"
else
  goreleaser_version="$("$goreleaser" --version 2>/dev/null | awk '/GitVersion/{print $2}')"
fi

bm="${BUILD_MATRIX_BIN:-}"
bm_note=""
if [[ -z "$bm" ]]; then
  bm="$repo_root/bin/build-matrix"
  if [[ -d "$repo_root/cmd/build-matrix" ]]; then
    log "== go build -o bin/build-matrix ./cmd/build-matrix"
    if ! (cd "$repo_root" && go build -o bin/build-matrix ./cmd/build-matrix) >"$work/logs/build-matrix-build.log" 2>&1; then
      sed -n '1,20p' "$work/logs/build-matrix-build.log" >&2
      rm -f "$bm"
      bm_note="cmd/build-matrix does not compile yet"
    fi
  else
    bm_note="cmd/build-matrix does not exist yet"
  fi
fi
if [[ -x "$bm" ]] && ! env -u GITHUB_ACTIONS "$bm" --help >/dev/null 2>&1; then
  bm_note="build-matrix --help fails"
fi
if [[ ! -x "$bm" || -n "$bm_note" ]]; then
  unavailable[b]="${bm_note:-no build-matrix binary}"
  unavailable[d]="${bm_note:-no build-matrix binary}"
fi
if [[ -z "${unavailable[b]:-}" ]]; then
  # A private copy: the binary under test cannot change while the run goes on.
  cp "$bm" "$work/build-matrix"
  bm="$work/build-matrix"
fi
slipway_rev="$(git -C "$repo_root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$repo_root" status --porcelain -- cmd internal go.mod go.sum 2>/dev/null)" ]]; then
  slipway_rev="$slipway_rev + uncommitted changes"
fi

have_hyperfine=false
if [[ "${BENCH_HYPERFINE:-1}" != 0 ]] && command -v hyperfine >/dev/null 2>&1; then
  have_hyperfine=true
fi

# ---------------------------------------------------------------- subjects

declare -A s_dir=() s_bin=() s_main=() s_label=() s_ldflags=() s_grldflags=()

# git_subject DIR: one commit at a fixed date, tag v$version, a remote.
git_subject() {
  local dir=$1
  printf '/bench-out/\n' >>"$dir/.gitignore"
  git -C "$dir" -c init.defaultBranch=main init -q
  git -C "$dir" add -A
  GIT_AUTHOR_DATE="$commit_date" GIT_COMMITTER_DATE="$commit_date" \
    git -C "$dir" -c user.name=bench -c user.email=bench@example.invalid \
    -c commit.gpgsign=false -c core.hooksPath=/dev/null commit -q -m "benchmark subject"
  git -C "$dir" tag "v$version"
  git -C "$dir" remote add origin https://example.invalid/x.git
}

# link_vars DIR MAIN: which of version, commit, date the main package declares
# at package level (build-matrix injects only those).
link_vars() {
  local dir=$1 main=$2 doc name tab=$'\t'
  doc="$(cd "$dir" && GOFLAGS=-mod=readonly go doc -cmd -u -all "$main" 2>/dev/null)" || doc=""
  for name in commit date version; do # sorted by symbol, as build-matrix orders them
    if grep -Eq "^(var |${tab})${name}[ =]" <<<"$doc"; then
      printf '%s\n' "$name"
    fi
  done
}

# setup_subject KEY DIR BIN MAIN LABEL
setup_subject() {
  local key=$1 dir=$2 bin=$3 main=$4 label=$5 commit v ld gr
  git_subject "$dir"
  (cd "$dir" && GOFLAGS=-mod=readonly go mod download)
  commit="$(git -C "$dir" rev-parse HEAD)"
  ld="-s -w -buildid="
  gr="$ld"
  while read -r v; do
    case "$v" in
      commit) ld+=" -X main.commit=$commit"; gr+=" -X main.commit={{ .FullCommit }}" ;;
      date) ld+=" -X main.date=$commit_date"; gr+=" -X main.date={{ .CommitDate }}" ;;
      version) ld+=" -X main.version=$version"; gr+=" -X main.version={{ .Version }}" ;;
      "") ;;
    esac
  done < <(link_vars "$dir" "$main")
  s_dir[$key]="$dir"
  s_bin[$key]="$bin"
  s_main[$key]="$main"
  s_label[$key]="$label"
  s_ldflags[$key]="$ld"
  s_grldflags[$key]="$gr"
  write_goreleaser_config "$key" c
  write_goreleaser_config "$key" e
}

# write_goreleaser_config KEY ARM: the same env, flags, ldflags and targets as
# build-matrix; deterministic archives (tar.gz, zip for windows) and sha256
# checksums; nothing that needs the network.
write_goreleaser_config() {
  local key=$1 arm=$2 t g o goos=() goarch=() ignore=()
  for t in "${target_list[@]}"; do
    g="${t%%/*}"; [[ " ${goos[*]} " == *" $g "* ]] || goos+=("$g")
    g="${t#*/}"; [[ " ${goarch[*]} " == *" $g "* ]] || goarch+=("$g")
  done
  # GoReleaser builds goos x goarch: drop the pairs that are not targets.
  for o in "${goos[@]}"; do
    for g in "${goarch[@]}"; do
      [[ ",$targets," == *",$o/$g,"* ]] || ignore+=("      - {goos: $o, goarch: $g}")
    done
  done
  {
    printf 'version: 2\n'
    printf 'project_name: %s\n' "${s_bin[$key]}"
    printf 'dist: bench-out/%s\n' "$arm"
    printf 'builds:\n'
    printf '  - id: %s\n' "${s_bin[$key]}"
    printf '    main: "%s"\n' "${s_main[$key]}"
    printf '    binary: %s\n' "${s_bin[$key]}"
    printf '    env: [CGO_ENABLED=0, GOFLAGS=-mod=readonly]\n'
    printf '    flags: [-trimpath]\n'
    printf '    ldflags: ["%s"]\n' "${s_grldflags[$key]}"
    printf '    goos: [%s]\n' "$(IFS=,; printf '%s' "${goos[*]}")"
    printf '    goarch: [%s]\n' "$(IFS=,; printf '%s' "${goarch[*]}")"
    if ((${#ignore[@]} > 0)); then
      printf '    ignore:\n'
      printf '%s\n' "${ignore[@]}"
    fi
    printf '    mod_timestamp: "{{ .CommitTimestamp }}"\n'
    printf 'archives:\n'
    printf '  - formats: [tar.gz]\n'
    printf '    format_overrides:\n'
    printf '      - {goos: windows, formats: [zip]}\n'
    printf '    builds_info: {mtime: "{{ .CommitDate }}"}\n'
    printf '    files:\n'
    for g in LICENSE README.md; do
      if [[ -f "${s_dir[$key]}/$g" ]]; then
        printf '      - {src: %s, info: {mtime: "{{ .CommitDate }}"}}\n' "$g"
      fi
    done
    printf 'checksum:\n'
    printf '  name_template: "{{ .ProjectName }}_{{ .Version }}_checksums.txt"\n'
    printf '  algorithm: sha256\n'
    printf 'snapshot:\n'
    printf '  version_template: "{{ .Version }}"\n'
    printf 'changelog: {disable: true}\n'
    printf 'release: {disable: true}\n'
  } >"$work/goreleaser-$key-$arm.yaml"
}

for key in "${subjects[@]}"; do
  case "$key" in
    hello)
      log "== subject hello ($repo_root/examples/hello)"
      [[ -f "$repo_root/examples/hello/go.mod" ]] || die "examples/hello/go.mod is missing"
      mkdir -p "$work/subjects/hello"
      cp -R "$repo_root/examples/hello/." "$work/subjects/hello/"
      rm -rf "$work/subjects/hello/dist" "$work/subjects/hello/bench-out" "$work/subjects/hello/.git"
      setup_subject hello "$work/subjects/hello" hello . "hello (examples/hello)"
      ;;
    cli)
      log "== subject $cli_module (go mod download)"
      src="$(go mod download -json "$cli_module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
      [[ -n "$src" && -d "$src" ]] || die "go mod download $cli_module gave no source dir"
      mod_path="${cli_module%@*}"
      bin="${mod_path##*/}"
      if [[ "$bin" =~ ^v[0-9]+$ ]]; then bin="${mod_path%/*}"; bin="${bin##*/}"; fi
      if [[ "$cli_main" != . ]]; then bin="${cli_main##*/}"; fi
      mkdir -p "$work/subjects/cli"
      cp -R "$src/." "$work/subjects/cli/"
      chmod -R u+w "$work/subjects/cli"
      setup_subject cli "$work/subjects/cli" "$bin" "$cli_main" "$bin ($cli_module)"
      ;;
    *) die "unknown subject $key (subjects: hello cli)" ;;
  esac
done

# ---------------------------------------------------------------- arms

# limit_build BIN MAIN LDFLAGS OUT: the go build commands build-matrix runs,
# PARALLELISM at once (what `xargs -P` would do, without a shell per target).
limit_build() {
  local bin=$1 main=$2 ldflags=$3 out=$4 t goos goarch ext running=0 fail=0
  for t in "${target_list[@]}"; do
    goos="${t%%/*}"; goarch="${t#*/}"; ext=""
    [[ "$goos" == windows ]] && ext=.exe
    CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" GOFLAGS=-mod=readonly \
      go build -trimpath -ldflags "$ldflags" -o "$out/${bin}_${goos}_${goarch}/$bin$ext" "$main" &
    running=$((running + 1))
    if ((running >= parallelism)); then
      wait -n || fail=1
      running=$((running - 1))
    fi
  done
  while ((running > 0)); do
    wait -n || fail=1
    running=$((running - 1))
  done
  return "$fail"
}

# arm KEY ARM: one run, in the subject dir, outputs in bench-out/ARM.
arm() {
  local key=$1 a=$2
  case "$a" in
    a) limit_build "${s_bin[$key]}" "${s_main[$key]}" "${s_ldflags[$key]}" "bench-out/a" ;;
    b) "$bm" --mode build --module-dir . --main "${s_main[$key]}" --targets "$targets" \
         --dist bench-out/b --version "$version" --archives none --checksums none \
         --parallelism "$parallelism" ;;
    c) "$goreleaser" build --snapshot --clean --parallelism "$parallelism" \
         --config "$work/goreleaser-$key-c.yaml" ;;
    d) "$bm" --mode build --module-dir . --main "${s_main[$key]}" --targets "$targets" \
         --dist bench-out/d --version "$version" --archives auto --checksums sha256 \
         --parallelism "$parallelism" ;;
    e) "$goreleaser" release --snapshot --clean --skip=publish --parallelism "$parallelism" \
         --config "$work/goreleaser-$key-e.yaml" ;;
  esac
}

# check_outputs KEY ARM SUMS: every target's binary (and, for d and e, the
# archives and the checksums file) exists; writes "target sha256" lines.
check_outputs() {
  local key=$1 a=$2 sums=$3
  local out="${s_dir[$key]}/bench-out/$a" bin="${s_bin[$key]}"
  local t goos goarch ext f found n
  : >"$sums"
  for t in "${target_list[@]}"; do
    goos="${t%%/*}"; goarch="${t#*/}"; ext=""
    [[ "$goos" == windows ]] && ext=.exe
    found=""
    for f in "$out/${bin}_${goos}_${goarch}/$bin$ext" "$out/${bin}_${goos}_${goarch}"_*/"$bin$ext"; do
      if [[ -f "$f" ]]; then found="$f"; break; fi
    done
    if [[ -z "$found" ]]; then
      log "   missing binary for $t in $out"
      return 1
    fi
    printf '%s %s\n' "$t" "$(sha256sum "$found" | cut -d' ' -f1)" >>"$sums"
  done
  if [[ "$a" == d || "$a" == e ]]; then
    n="$(find "$out" -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' \) | wc -l)"
    if ((n != ${#target_list[@]})); then
      log "   expected ${#target_list[@]} archives in $out, found $n"
      return 1
    fi
    f="$(find "$out" -maxdepth 1 -type f -name '*_checksums.txt' | head -n 1)"
    if [[ -z "$f" ]] || (($(wc -l <"$f") != n)); then
      log "   no checksums file listing the $n archives in $out"
      return 1
    fi
  fi
}

declare -A times=() cpus=() loads=() failed=() arm_names=()
arm_names=([a]="(a) go build limit" [b]="(b) build-matrix" [c]="(c) goreleaser build"
  [d]="(d) build-matrix +archives" [e]="(e) goreleaser release")

# run_once KEY MODE ARM REP GOCACHE [untimed]: time one run of one arm.
run_once() {
  local key=$1 mode=$2 a=$3 rep=$4 cache=$5 untimed=${6:-} t0 t1 rc=0 secs cpu logf load
  local dir="${s_dir[$key]}"
  logf="$work/logs/$key-$mode-$a-$rep.log"
  rm -rf "$dir/bench-out/$a"
  load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
  t0="$(date +%s.%N)"
  (
    cd "$dir"
    export GOCACHE="$cache"
    # build-matrix keeps the effective GOFLAGS (environment or `go env -w`)
    # and adds -mod=readonly; the others replace them. With GOENV=off and
    # GOFLAGS unset, every arm builds with exactly GOFLAGS=-mod=readonly.
    export GOENV=off
    unset GOFLAGS GITHUB_ACTIONS GITHUB_WORKSPACE GITHUB_OUTPUT GITHUB_STEP_SUMMARY SOURCE_DATE_EPOCH
    status=0
    arm "$key" "$a" || status=$?
    # CPU time of every process the run started (children's user and sys).
    times >"$work/cpu"
    exit "$status"
  ) </dev/null >"$logf" 2>&1 || rc=$?
  t1="$(date +%s.%N)"
  secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  cpu="$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
    printf "%.2f", t }' "$work/cpu")"
  if ((rc == 0)) && ! check_outputs "$key" "$a" "$work/sums/$key-$mode-$a"; then
    rc=1
  fi
  if ((rc != 0)); then
    log "   ${arm_names[$a]} FAILED (exit $rc) after $secs s; last lines of $logf:"
    tail -n 15 "$logf" >&2
    failed["$key|$mode|$a"]=1
    return 0
  fi
  if [[ -n "$untimed" ]]; then
    log "   $untimed ${arm_names[$a]}: $secs s"
  else
    log "   [$key $mode $rep] ${arm_names[$a]}: $secs s, CPU $cpu s (load average before: $load)"
    times["$key|$mode|$a"]+="$secs "
    cpus["$key|$mode|$a"]+="$cpu "
    loads["$key|$mode|$a"]+="$load "
    write_report partial
  fi
}

# rotated REP: the arms that can run, starting at a different one each rep.
rotated() {
  local rep=$1 a i n order=() runnable=()
  for a in "${arms[@]}"; do
    [[ -n "${unavailable[$a]:-}" ]] || runnable+=("$a")
  done
  n=${#runnable[@]}
  for ((i = 0; i < n; i++)); do
    order+=("${runnable[$(((i + rep - 1) % n))]}")
  done
  printf '%s\n' "${order[@]}"
}

# ---------------------------------------------------------------- report

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) exit; printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cell KEY MODE ARM [cpu]: the median wall (or CPU) time, or why there is none.
cell() {
  local k="$1|$2|$3" vals
  if [[ -n "${failed[$k]:-}" ]]; then
    echo failed
  elif [[ -n "${unavailable[$3]:-}" ]]; then
    echo pending
  elif [[ -z "${times[$k]:-}" ]]; then
    echo "not run"
  elif [[ "${4:-}" == cpu ]]; then
    read -ra vals <<<"${cpus[$k]}"
    median "${vals[@]}"
  else
    read -ra vals <<<"${times[$k]}"
    median "${vals[@]}"
  fi
}

# ratio X Y LIMIT: X/Y with a pass mark against LIMIT.
ratio() {
  if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then
    awk -v x="$1" -v y="$2" -v l="$3" 'BEGIN { r = x / y; printf "%.3f %s", r, (r <= l) ? "✓" : "✗" }'
  elif [[ "$1" == failed || "$2" == failed ]]; then
    echo failed
  elif [[ "$1" == pending || "$2" == pending ]]; then
    echo pending
  else
    echo "not run"
  fi
}

identity() {
  local key=$1 mode=$2 a=$3 ref="$work/sums/$1-$2-a" f="$work/sums/$1-$2-$3"
  if [[ ! -s "$ref" || ! -s "$f" ]]; then return; fi
  if cmp -s "$ref" "$f"; then
    printf 'identical'
  else
    printf 'differ (%s of %s targets)' "$(diff "$ref" "$f" | grep -c '^<' || true)" "${#target_list[@]}"
  fi
}

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
results_dir="$repo_root/bench/results"
suffix=""
[[ "$quick" == 1 ]] && suffix="-quick"
results_file="${BENCH_RESULTS_FILE:-$results_dir/build-matrix-$(date -u +%Y-%m-%d)$suffix.md}"
mkdir -p "$(dirname "$results_file")"
plan_result="not run yet"

# write_report [partial]: the table so far, to the results file (a long run
# that is stopped still leaves what it measured).
write_report() {
  local state=${1:-} key mode a what ca cb cc cd_ ce limit line id elapsed load_end
  elapsed=$(($(date +%s) - bench_start))
  load_end="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  # shellcheck disable=SC2016 # the backticks are markdown
  {
    printf '## build-matrix benchmark, %s%s%s\n\n' "$(date -u +'%Y-%m-%d %H:%M UTC')" "${suffix:+ (BENCH_QUICK smoke test)}" "${state:+ (partial: the run had not finished when this was written)}"
    printf -- '- machine: %s CPUs (%s), %s; load average %s at the start, %s when written\n' \
      "$(nproc)" "${cpu_model:-unknown CPU}" "$(go version)" "$load_start" "$load_end"
    printf -- '- targets: %s; parallelism %s; medians of %s cold / %s warm runs per arm, arms interleaved in the same run\n' \
      "$targets" "$parallelism" "$cold_runs" "$runs"
    printf -- '- every arm runs with GOENV=off and GOFLAGS=-mod=readonly only (`go env GOFLAGS` here: `%s`)\n' "$user_goflags"
    printf -- '- build-matrix: slipway %s; GoReleaser %s; plan timing: %s\n' "$slipway_rev" "$goreleaser_version" \
      "$($have_hyperfine && hyperfine --version || echo 'date loop')"
    for key in "${subjects[@]}"; do
      printf -- '- subject %s: ldflags `%s`\n' "${s_label[$key]}" "${s_ldflags[$key]}"
    done
    for a in b d; do
      if [[ -n "${unavailable[$a]:-}" ]]; then
        printf -- '- build-matrix arms pending: %s\n' "${unavailable[$a]}"
        break
      fi
    done
    printf -- '- whole run: %d s%s (`bash bench/build-matrix.sh`%s)\n\n' "$elapsed" "${state:+ so far}" "${suffix:+ with BENCH_QUICK=1}"
    for what in wall cpu; do
      if [[ "$what" == wall ]]; then
        printf 'Wall-clock time, median seconds:\n\n'
      else
        printf '\nCPU time (user + sys of every process of the run), median seconds; less\n'
        printf 'sensitive than wall time to other work on the machine, blind to idle waits:\n\n'
      fi
      printf '| subject | GOCACHE | (a) go build limit | (b) build-matrix | (c) goreleaser build | (d) build-matrix +archives | (e) goreleaser release | b/a (cold ≤ 1.05, warm ≤ 1.10) | b/c (≤ 1.0) | d/e (≤ 1.0) |\n'
      printf '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
      for key in "${subjects[@]}"; do
        for mode in "${modes[@]}"; do
          ca="$(cell "$key" "$mode" a "$what")"; cb="$(cell "$key" "$mode" b "$what")"
          cc="$(cell "$key" "$mode" c "$what")"; cd_="$(cell "$key" "$mode" d "$what")"
          ce="$(cell "$key" "$mode" e "$what")"
          limit=1.10
          [[ "$mode" == cold ]] && limit=1.05
          printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${s_label[$key]}" "$mode" \
            "$ca" "$cb" "$cc" "$cd_" "$ce" "$(ratio "$cb" "$ca" "$limit")" "$(ratio "$cb" "$cc" 1.0)" "$(ratio "$cd_" "$ce" 1.0)"
        done
      done
    done
    printf '\nPlan mode (`build-matrix --mode plan --targets all`, target < 100 ms): %s\n' "$plan_result"
    printf '\nBinaries compared with the limit (a), last run of each arm:\n\n'
    for key in "${subjects[@]}"; do
      for mode in "${modes[@]}"; do
        line=""
        for a in b c d e; do
          id="$(identity "$key" "$mode" "$a")"
          [[ -n "$id" ]] && line+=" ${a}: $id;"
        done
        [[ -n "$line" ]] && printf -- '- %s, %s:%s\n' "${s_label[$key]}" "$mode" "${line%;}"
      done
    done
    printf '\nEvery run in order: wall seconds / CPU seconds (1-minute load average just before each run):\n\n'
    for key in "${subjects[@]}"; do
      for mode in "${modes[@]}"; do
        for a in "${arms[@]}"; do
          [[ -n "${times["$key|$mode|$a"]:-}" ]] || continue
          printf -- '- %s %s %s: %s / %s (%s)\n' "${s_bin[$key]}" "$mode" "$a" "${times["$key|$mode|$a"]% }" \
            "${cpus["$key|$mode|$a"]% }" "${loads["$key|$mode|$a"]% }"
        done
      done
    done
  } >"$work/report.md"
  cp "$work/report.md" "$results_file"
}

# ---------------------------------------------------------------- plan mode
# First: it takes seconds, and a stopped long run still has it.

if [[ -n "${unavailable[b]:-}" ]]; then plan_result="pending (${unavailable[b]})"; fi
if [[ -z "${unavailable[b]:-}" ]]; then
  log "== plan mode, $plan_runs runs"
  plan_dir="${s_dir[${subjects[0]}]}"
  if ! (cd "$plan_dir" && env -u GITHUB_ACTIONS "$bm" --mode plan --targets all) >"$work/logs/plan.log" 2>&1; then
    tail -n 15 "$work/logs/plan.log" >&2
    plan_result="failed"
    failed[plan]=1
  elif $have_hyperfine; then
    plan_cmd="$(printf '%q ' "$bm" --mode plan --targets all)"
    (cd "$plan_dir" && env -u GITHUB_ACTIONS hyperfine -N --warmup 3 --runs "$plan_runs" \
      --style basic --export-csv "$work/plan.csv" "$plan_cmd") >&2
    # command,mean,stddev,median,user,system,min,max (seconds)
    plan_result="$(awk -F, -v n="$plan_runs" 'NR == 2 {
      printf "median %.1f ms, mean %.1f ms, max %.1f ms over %d runs (hyperfine -N, 3 warm-up runs)", $4 * 1000, $2 * 1000, $8 * 1000, n
      ok = ($4 < 0.1) ? "✓" : "✗"; printf " %s", ok }' "$work/plan.csv")"
  else
    plan_times=()
    for ((i = 0; i < plan_runs; i++)); do
      t0="$(date +%s.%N)"
      (cd "$plan_dir" && env -u GITHUB_ACTIONS "$bm" --mode plan --targets all) >/dev/null 2>&1
      t1="$(date +%s.%N)"
      plan_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    plan_result="$(printf '%s\n' "${plan_times[@]}" | sort -g | awk -v n="$plan_runs" '{ v[NR] = $1 }
      END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "median %.1f ms, max %.1f ms over %d runs (date loop, includes a subshell) %s", m * 1000, v[NR] * 1000, n, (m < 0.1) ? "✓" : "✗" }')"
  fi
fi

# ---------------------------------------------------------------- runs

for key in "${subjects[@]}"; do
  warm_cache="${warm_gocache:-$work/cache-warm-$key}"
  warm_primed_by_cold=false
  for mode in "${modes[@]}"; do
    if [[ "$mode" == cold ]]; then
      log "== $key: cold GOCACHE, $cold_runs run(s)"
      for ((rep = 1; rep <= cold_runs; rep++)); do
        while read -r a; do
          cache="$work/cache-$key-$rep-$a"
          rm -rf "$cache"
          mkdir -p "$cache"
          run_once "$key" cold "$a" "$rep" "$cache"
          # Keep the last limit build's cache as the warm cache: it is primed.
          if ((rep == cold_runs)) && [[ "$a" == a && -z "$warm_gocache" && ! -e "$warm_cache" ]]; then
            mv "$cache" "$warm_cache"
            warm_primed_by_cold=true
          else
            rm -rf "$cache"
          fi
        done < <(rotated "$rep")
      done
    else
      log "== $key: warm GOCACHE ($warm_cache), $runs run(s)"
      mkdir -p "$warm_cache"
      $warm_primed_by_cold || log "   priming the cache (one untimed run of each arm)"
      while read -r a; do
        run_once "$key" warm "$a" 0 "$warm_cache" "prime"
      done < <(rotated 1)
      for ((rep = 1; rep <= runs; rep++)); do
        while read -r a; do
          run_once "$key" warm "$a" "$rep" "$warm_cache"
        done < <(rotated "$rep")
      done
    fi
  done
  rm -rf "${s_dir[$key]}/bench-out"
done

write_report
cat "$work/report.md"
log "written: $results_file (whole run $(($(date +%s) - bench_start)) s)"
if ((${#failed[@]} > 0)); then
  exit 1
fi
