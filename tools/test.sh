#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, checks formatting and layering
# (tools/check_layers.sh), then runs three suites:
#   release     Release build (g++), every test (labels unit, integration), among them the
#               Python package's pytest suites (python.*: the module is built when pybind11 is
#               found, docs/python.md);
#   asan+ubsan  Debug build with ASan+UBSan, every gtest: `-L 'unit|integration' -LE script`
#               (the shell-script end-to-end tests, label `script`, run in release only; the
#               Python module is not built under the sanitizers, so python.* run in release only);
#   clang       clang++ build of the libraries and tools with -DSLUICE_THREAD_SAFETY=ON
#               (-Wthread-safety as errors); no tests run, a failed build counts as one failure;
#   fuzz        clang++ build of the fuzz targets (-DSLUICE_FUZZ=ON: libFuzzer, ASan+UBSan), each
#               run for $FUZZ_SECONDS (default 20) from its seed corpus (tools/fuzz.sh short);
#               each target counts as one test, a crash prints the input's path.
# Ends with one line "N passed, N failed" summing all suites; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh || exit 1
tools/check_format.sh || exit 1
tools/check_layers.sh || exit 1

jobs=$(nproc)
total_passed=0
total_failed=0

build_suite() {  # name, build dir, cmake args...: configure and build; false on failure (counted)
  local name=$1 dir=$2
  shift 2
  echo "== $name: configure and build ($dir)"
  if ! cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; echo "$name: configure failed"; total_failed=$((total_failed + 1)); return 1
  fi
  if ! cmake --build "$dir" -j "$jobs"; then
    echo "$name: build failed"; total_failed=$((total_failed + 1)); return 1
  fi
  echo "$name: build ok"
}

run_suite() {  # name, build dir, cmake args..., then -- ctest args...
  local name=$1 dir=$2
  shift 2
  local cmake_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  shift
  build_suite "$name" "$dir" "${cmake_args[@]}" || return
  echo "== $name: ctest"
  local log="$dir/ctest.log"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600 "$@") | tee "$log"
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "$name: ctest printed no summary"; total_failed=$((total_failed + 1)); return
  fi
  local failed total
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
}

fuzz_suite() {  # builds build/fuzz, runs every target briefly; one test per target
  build_suite "fuzz" build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
    -DSLUICE_FUZZ=ON || return
  echo "== fuzz: each target for ${FUZZ_SECONDS:-20}s"
  local log=build/fuzz/short.log line
  tools/fuzz.sh short "${FUZZ_SECONDS:-20}" | tee "$log"
  line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "fuzz: printed no summary"; total_failed=$((total_failed + 1)); return
  fi
  total_passed=$((total_passed + $(sed -E 's/fuzz: ([0-9]+) passed.*/\1/' <<<"$line")))
  total_failed=$((total_failed + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
}

mkdir -p build
run_suite "release" build/release -DCMAKE_BUILD_TYPE=Release --
run_suite "asan+ubsan" build/asan -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON -DSLUICE_BENCH=OFF \
  -- -L 'unit|integration' -LE script
build_suite "clang" build/clang -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DSLUICE_BENCH=OFF -DSLUICE_TESTS=OFF -DSLUICE_THREAD_SAFETY=ON
fuzz_suite

echo
echo "tests: ${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ]
