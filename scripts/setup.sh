#!/usr/bin/env bash
# Developer/CI set-up: installs the Debian packages ork builds against (only the
# missing ones), then configures and builds with CMake + Ninja (+ ccache).
# Used by the README's two quick-start commands; idempotent.
# Usage: scripts/setup.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libyaml-cpp-dev libpoco-dev
  pybind11-dev python3-dev libsqlite3-dev sqlite3
  libgtest-dev libgmock-dev googletest libpq-dev libssl-dev
  python3-pydantic
  librust-serde-dev librust-serde-json-dev librust-serde-derive-dev
  librust-syn-dev librust-quote-dev librust-proc-macro2-dev
  libhowardhinnant-date-dev
  libgraphviz-dev dpkg-dev
  clang-14  # the cpp language plugin reads task signatures with clang++-14 (g++ builds them)
)
# The web UI's front-end library and the typescript plugin's pinned
# TypeScript compiler come from npm at build time, and TypeScript tasks run
# on node; use the machine's Node.js when it has one, else Debian's.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
# The rust language plugin builds tasks with cargo (offline, against the
# librust-*-dev crates above): use rustup's when there is one, else Debian's.
command -v cargo >/dev/null 2>&1 || [[ -x $HOME/.cargo/bin/cargo ]] || packages+=(cargo rustc)
# What only the test suite needs: a real browser for the UI tests, a
# PostgreSQL server the storage tests start on loopback, croniter (the
# independent cron implementation tests/api/cron_differential_test.cpp
# compares with), and libFuzzer for scripts/fuzz.sh (with the clang-14 above).
if [[ ${1:-} == --with-test-tools ]]; then
  packages+=(chromium postgresql python3-croniter libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ork setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_type=${ORK_BUILD_TYPE:-RelWithDebInfo}
# CI builds treat warnings as errors (STYLE.md); local builds only show them.
warnings_as_errors=OFF
# CI builds carry line tables only (-g1: file:line in every backtrace, no
# variable locations), which compiles ~25% faster than -g.
ci_flags=()
if [[ ${CI:-} == true ]]; then
  warnings_as_errors=ON
  ci_flags=(-DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG")
fi
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DPython_EXECUTABLE=/usr/bin/python3 -DORK_WARNINGS_AS_ERRORS="$warnings_as_errors" "${ci_flags[@]}" ${ORK_CMAKE_ARGS:-}
fi
cmake --build build -j"$(nproc)"
