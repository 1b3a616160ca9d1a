#!/bin/sh
# A C++ store that implements no queue (cpp_store_plugin.cpp) is refused up
# front by `ork worker` and by `ork run --workers-only`, with a message that
# says what is missing and what to use instead; nothing runs.
# Usage: cpp_store_cli.sh ORK_BINARY PLUGIN_DIR CPP_STORE_DIR
set -eu

ork=$1
plugins=$2
cpp_store=$3

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/wf.yaml" <<'YAML'
name: refused_up_front
tasks:
  touch:
    executor: process
    command: [touch, ran]
YAML

cd "$work"
status=0
err=$("$ork" --plugin-dir "$plugins" --plugin-dir "$cpp_store" worker --db plainstore://x 2>&1 >/dev/null) || status=$?
printf '%s\n' "$err"
[ "$status" -eq 2 ] || fail "ork worker exited with $status, expected 2 (usage)"
printf '%s\n' "$err" | grep -Fq "plainstore://x has no queue for workers" ||
  fail "ork worker does not say the store has no queue"

status=0
err=$("$ork" --plugin-dir "$plugins" --plugin-dir "$cpp_store" run wf.yaml --db plainstore://x --workers-only 2>&1 >/dev/null) ||
  status=$?
printf '%s\n' "$err"
[ "$status" -eq 2 ] || fail "ork run --workers-only exited with $status, expected 2 (usage)"
printf '%s\n' "$err" | grep -Fq -- "--workers-only needs a store with a worker queue" ||
  fail "ork run --workers-only does not say the store has no queue"
[ ! -e ran ] || fail "the task ran although the store was refused"
