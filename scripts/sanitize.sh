#!/usr/bin/env bash
# The test suite under sanitizers, each in a build directory of its own:
#   scripts/sanitize.sh asan [CTEST ARGS...]  AddressSanitizer + UndefinedBehaviorSanitizer
#                                              (and LeakSanitizer): every test, in build-asan/
#   scripts/sanitize.sh tsan [CTEST ARGS...]  ThreadSanitizer: the tests of the threaded
#                                              parts (scheduler, HTTP server, workers,
#                                              stores), in build-tsan/, which builds only those
# Extra arguments go to ctest (e.g. `-R '^Run\.'`). .ci/run calls `asan` after
# the normal suite. It configures, builds (ccache) and runs; a finding fails
# the test that hit it. The run-time options below are exported, so every
# process a test starts (ork, its plugins' workers) reports the same way. See
# docs/reliability.md, "Sanitizers".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

kind=${1:-}
case $kind in
  asan | tsan) shift ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [ctest arguments...]" >&2
    exit 2
    ;;
esac

jobs=$(nproc)
build_type=${ORK_BUILD_TYPE:-RelWithDebInfo}
suppressions=$root/tests/sanitizers

# configure DIR SANITIZER: a build directory of its own, with the same
# settings as scripts/setup.sh (so ccache serves rebuilds) plus ORK_SANITIZE.
configure() {
  local dir=$1 sanitizer=$2
  if [[ ! -f $dir/build.ninja ]]; then
    local warnings_as_errors=OFF
    [[ ${CI:-} == true ]] && warnings_as_errors=ON
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DPython_EXECUTABLE=/usr/bin/python3 -DORK_WARNINGS_AS_ERRORS="$warnings_as_errors" \
      -DORK_SANITIZE="$sanitizer" ${ORK_CMAKE_ARGS:-}
  fi
}

# Options shared by the sanitizers: a finding stops the process with a
# non-zero exit code (so the test fails) and prints a symbolised stack.
common_options=print_stacktrace=1:halt_on_error=1

if [[ $kind == asan ]]; then
  dir=build-asan
  configure "$dir" address
  cmake --build "$dir" -j"$jobs"
  # detect_leaks: LeakSanitizer at every sanitized process's exit, with the
  #   third-party leaks of lsan.supp (each with its reason) suppressed.
  # check_initialization_order: static-initialisation-order bugs across
  #   ork's translation units and plugins.
  export ASAN_OPTIONS=$common_options:detect_leaks=1:check_initialization_order=1:strict_init_order=1
  # use_tls=0: LeakSanitizer does not scan thread-local storage for pointers.
  #   GCC 12's tracer crashes reading it ("Tracer caught signal 11", exit 1)
  #   in some `ork` processes once seven plugins are dlopen'ed (it began when
  #   the shell plugin was added). Fewer roots can only report more leaks,
  #   never hide one, and ork keeps no heap memory reachable only from TLS.
  export LSAN_OPTIONS=suppressions=$suppressions/lsan.supp:print_suppressions=0:use_tls=0
  export UBSAN_OPTIONS=$common_options
  # Not run here: tests that run no sanitized code (the Python SDK's and the
  # polyglot example's Python unit tests, the Rust crates' cargo tests); the
  # normal suite runs them.
  export ORK_TEST_SANITIZER=asan  # tests/faults: RSS bounds measure ASan, not ork
  exclude='^(sdk\.python|sdk\.rust|examples\.polyglot\.python|examples\.polyglot\.rust)$'
else
  dir=build-tsan
  configure "$dir" thread
  # What the threaded tests need, and nothing else: the host and its API
  # tests, the end-to-end tests (scheduler, `ork worker`), the plugins with
  # worker pools or concurrent stores, and their own tests.
  targets=(
    ork ork_executor_process ork_executor_python ork_executor_library ork_storage_sqlite
    ork_api_tests ork_host_unit_tests ork_e2e_tests ork_library_tests ork_python_tests ork_sqlite_tests
  )
  cmake --build "$dir" -j"$jobs" --target "${targets[@]}"
  export TSAN_OPTIONS=$common_options:second_deadlock_stack=1:suppressions=$suppressions/tsan.supp
  # The binaries not built here register <target>_NOT_BUILT tests: skip them,
  # and the script-driven suites that need the whole build (doc pages,
  # fault injection, the browser, loader fixtures, fuzz replays, SDKs, and
  # package.deb_install, whose cpack installs the postgres plugin not built here).
  exclude='_NOT_BUILT$|^docs\.|^faults\.|^browser_ui$|^loader\.|^fuzz_replay_|^examples\.|^sdk\.|^storage\.|^package\.'
fi

# Sanitized code runs 2-5 times slower: the per-test timeouts of a sanitizer
# build are scaled in CMake (ORK_TEST_TIMEOUT_FACTOR); this one covers the rest.
ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 1800 -E "$exclude" "$@"
