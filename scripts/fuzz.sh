#!/usr/bin/env bash
# Runs ork's libFuzzer targets (tests/fuzz) with their seed corpora.
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]     (default: all, 60 s each)
#   TARGET: compiler yaml_document type cron router process_output python_frames library_frames
# Configures and builds build-fuzz/ (clang-14, -fsanitize=fuzzer,address,undefined,
# only the sources the targets need) when needed, then runs each target in
# turn, one process and one job at a time (CPU is scarce). Inputs that reach
# new coverage go to build-fuzz/findings/<target>/ (the checked-in corpus is read, not written);
# a crash is saved there as crash-*/oom-*/timeout-* and stops the script with
# its exit code. To keep a crash as a regression input:
#   cp build-fuzz/findings/T/crash-... tests/fuzz/regressions/T/<name>
# Environment: ORK_FUZZ_ARGS adds libFuzzer flags (e.g. -seed=1); ORK_FUZZ_MAX_LEN
# caps generated inputs (8192 bytes; the large regression inputs are replayed
# whole by the ctest replays, label `fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."

targets_all=(compiler yaml_document type cron router process_output python_frames library_frames)
target=${1:-all}
seconds=${2:-60}
if [[ $target == all ]]; then
  targets=("${targets_all[@]}")
elif [[ " ${targets_all[*]} " == *" $target "* ]]; then
  targets=("$target")
else
  echo "fuzz.sh: unknown target '$target' (one of: ${targets_all[*]}, all)" >&2
  exit 2
fi

clangxx=${ORK_FUZZ_CXX:-clang++-14}
clangc=${ORK_FUZZ_CC:-clang-14}
if ! command -v "$clangxx" >/dev/null; then
  echo "fuzz.sh: $clangxx not found; install clang-14 and libclang-rt-14-dev (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

build=build-fuzz
if [[ ! -f $build/build.ninja ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -G Ninja -DORK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER="$clangc" -DCMAKE_CXX_COMPILER="$clangxx" "${launcher[@]}"
fi
cmake --build "$build" -j"${ORK_FUZZ_BUILD_JOBS:-2}" --target "${targets[@]/#/ork_fuzz_}"

# Leaks are not findings here: the targets hold some state in statics on purpose.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  findings=$build/findings/$t
  mkdir -p "$findings"
  echo "== fuzzing $t for ${seconds}s (new inputs and crashes in $findings)"
  # Corpus directories: the first is written to, the others only read.
  # shellcheck disable=SC2086
  "$build/bin/ork_fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${ORK_FUZZ_MAX_LEN:-8192}" \
    -artifact_prefix="$findings/" -print_final_stats=1 ${ORK_FUZZ_ARGS:-} \
    "$findings" "tests/fuzz/corpus/$t" $( [[ -d tests/fuzz/regressions/$t ]] && echo "tests/fuzz/regressions/$t" )
done
