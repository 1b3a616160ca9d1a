#!/usr/bin/env bash
# Quick start, command 2: the same set-up, then the whole test suite
# (GoogleTest unit/integration tests and end-to-end tests of the built binary).
# .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600
