#!/usr/bin/env bash
# Quick start, command 1: set everything up (Debian packages, configure, build)
# and run the example workflow on the embedded SQLite store (.ork/ork.db).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo
echo "== ork run examples/quickstart/elt_pipeline.yaml"
build/bin/ork run examples/quickstart/elt_pipeline.yaml
