#!/usr/bin/env bash
# Runs the browser tests of the web UI: installs playwright-core (pinned by
# package-lock.json) into the build tree when missing, then drives Debian's
# headless Chromium against a real `ork serve`.
# Usage: run.sh ORK_BINARY BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ork="$(realpath "${1:?usage: run.sh ORK_BINARY BUILD_DIR}")"
build="$(realpath "${2:?usage: run.sh ORK_BINARY BUILD_DIR}")"
deps="$build/browser-test-deps"
chromium="${ORK_CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x "$chromium" ]]; then
  echo "browser tests need Chromium at $chromium (apt-get install chromium)" >&2
  exit 1
fi
if [[ ! -f "$deps/node_modules/playwright-core/package.json" ]] || ! cmp -s "$here/package-lock.json" "$deps/package-lock.json"; then
  mkdir -p "$deps"
  cp "$here/package.json" "$here/package-lock.json" "$deps/"
  npm ci --prefix "$deps" --no-audit --no-fund --ignore-scripts --loglevel=error
fi
mkdir -p "$build/test-artifacts"
export ORK_BINARY="$ork" ORK_CHROMIUM="$chromium" ORK_BROWSER_DEPS="$deps" ORK_ARTIFACTS="$build/test-artifacts"
status=0
node "$here/ui_test.cjs" || status=1
node "$here/ui_flows_test.cjs" || status=1
exit "$status"
