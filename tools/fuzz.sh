#!/usr/bin/env bash
# The fuzz targets of fuzz/ (fuzz/README.md): libFuzzer binaries built with clang, ASan and
# UBSan in build/fuzz (-DSLUICE_FUZZ=ON).
#
#   tools/fuzz.sh build                        configure and build build/fuzz
#   tools/fuzz.sh short [SECONDS]              every target for SECONDS (default 20), one after
#                                              another, from the seed corpus, fixed seed: what
#                                              tools/test.sh runs. Ends "fuzz: N passed, N failed"
#   tools/fuzz.sh run TARGET SECONDS [JOBS]    a long run. Keeps its corpus in
#                                              build/fuzz/corpus/TARGET (started from
#                                              fuzz/corpus/TARGET) and crashes in
#                                              build/fuzz/artifacts/TARGET/; JOBS > 1 runs that
#                                              many processes (libFuzzer's -fork)
#   tools/fuzz.sh replay TARGET FILE...        runs inputs once (a crash, to see it again)
#   tools/fuzz.sh minimize TARGET FILE         the smallest input that still crashes the same
#                                              way, written next to FILE as FILE.min
#   tools/fuzz.sh corpus                       regenerates fuzz/corpus/ (fuzz/make_corpus.cc)
#
# Extra libFuzzer flags may follow `run` and `short` after `--`.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build/fuzz
targets=(sql json_decoder csv_decoder wal manifest state)

# Per-target flags. sql: inputs stay under 512 bytes until deep nesting and the quadratic
# binder (issue 14 items 1 and 2) are fixed; past that the parser overflows its stack and the
# binder takes minutes under instrumentation. state: its seeds are about 4 KB.
target_flags() {
  case "$1" in
    sql) echo "-max_len=512 -dict=fuzz/sql.dict" ;;
    json_decoder) echo "-dict=fuzz/json.dict" ;;
    manifest) echo "-dict=fuzz/json.dict" ;;
    state) echo "-max_len=8192" ;;
    *) echo "" ;;
  esac
}

known_target() {
  local t
  for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done
  echo "fuzz.sh: unknown target '$1' (targets: ${targets[*]})" >&2
  exit 2
}

build() {
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
      -DSLUICE_FUZZ=ON >"$build_dir.configure.log" 2>&1 || { cat "$build_dir.configure.log"; exit 1; }
  fi
  cmake --build "$build_dir" -j "$(nproc)" "$@"
}

export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"

# The last coverage line libFuzzer printed, "runs: N cov: N ft: N ...", from a plain run
# ("#N  DONE   cov: ...") or a -fork run ("#N: cov: ...").
last_stats() {
  grep -E '^#[0-9]+(:|[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED))' "$1" | tail -1 |
    sed -E 's/^#([0-9]+)(:|[[:space:]]+[A-Za-z]+)[[:space:]]+/runs: \1 /; s/ corp: [^ ]+//;
            s/ lim: [0-9]+//; s/ (time|job|dft_time): [0-9]+s?//g; s/ rss: [0-9]+Mb//'
}

short() {
  local seconds=${1:-20}
  shift || true
  [ "${1:-}" = "--" ] && shift
  local passed=0 failed=0 t
  for t in "${targets[@]}"; do
    local dir="$build_dir/short/$t"
    rm -rf "$dir"
    mkdir -p "$dir/corpus"
    # shellcheck disable=SC2046
    if "$build_dir/fuzz/${t}_fuzzer" -max_total_time="$seconds" -seed=1 -timeout=30 \
      -print_final_stats=1 -artifact_prefix="$dir/" $(target_flags "$t") "$@" \
      "$dir/corpus" "fuzz/corpus/$t" >"$dir/log" 2>&1; then
      echo "fuzz $t: ok ($(last_stats "$dir/log"))"
      passed=$((passed + 1))
    else
      echo "fuzz $t: FAILED"
      grep -E 'ERROR:|runtime error|SUMMARY|fuzz invariant|Test unit written' "$dir/log" | head -8
      local found
      for found in "$dir"/crash-* "$dir"/timeout-* "$dir"/oom-* "$dir"/leak-* "$dir"/slow-unit-*; do
        [ -e "$found" ] && echo "  input: $found (tools/fuzz.sh replay $t $found)"
      done
      echo "  log: $dir/log"
      failed=$((failed + 1))
    fi
  done
  echo "fuzz: ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
}

run() {
  local t=$1 seconds=$2 jobs=1
  shift 2
  if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    jobs=$1
    shift
  fi
  [ "${1:-}" = "--" ] && shift
  known_target "$t"
  local corpus="$build_dir/corpus/$t" artifacts="$build_dir/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  local parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-fork="$jobs")
  local log="$artifacts/run-$(date +%Y%m%d-%H%M%S).log"
  echo "fuzz $t: ${seconds}s, ${jobs} process(es); corpus $corpus, crashes $artifacts/, log $log"
  local started=$SECONDS status=0
  # shellcheck disable=SC2046
  "$build_dir/fuzz/${t}_fuzzer" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${parallel[@]}" $(target_flags "$t") "$@" \
    "$corpus" "fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  echo "fuzz $t: exit $status after $((SECONDS - started))s wall ($(last_stats "$log"))"
  grep -E 'stat::' "$log" || true
  ls "$artifacts" | grep -vE '\.log$' || true
  return "$status"
}

command=${1:-}
shift || true
case "$command" in
  build) build ;;
  short) build >/dev/null && short "$@" ;;
  run)
    [ $# -ge 2 ] || { echo "usage: tools/fuzz.sh run TARGET SECONDS [JOBS] [-- FLAGS]" >&2; exit 2; }
    build >/dev/null && run "$@"
    ;;
  replay)
    [ $# -ge 2 ] || { echo "usage: tools/fuzz.sh replay TARGET FILE..." >&2; exit 2; }
    known_target "$1"
    t=$1
    shift
    build >/dev/null
    # shellcheck disable=SC2046
    "$build_dir/fuzz/${t}_fuzzer" $(target_flags "$t") "$@"
    ;;
  minimize)
    [ $# -eq 2 ] || { echo "usage: tools/fuzz.sh minimize TARGET FILE" >&2; exit 2; }
    known_target "$1"
    build >/dev/null
    # shellcheck disable=SC2046
    "$build_dir/fuzz/${1}_fuzzer" $(target_flags "$1") -minimize_crash=1 -runs=20000 \
      -exact_artifact_path="$2.min" "$2"
    echo "minimized: $2.min ($(wc -c <"$2.min") bytes)"
    ;;
  corpus)
    build --target fuzz_corpus >/dev/null
    "$build_dir/fuzz/fuzz_corpus" .
    ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
