#!/usr/bin/env bash
# The third-party path end to end: install this build of ork into a temporary
# prefix, build examples/plugins/echo against that prefix only (find_package),
# then let the INSTALLED `ork` load the echo plugin from the echo build
# directory, list it, refuse a task whose message is not a string, and run a
# one-task workflow whose JSON output carries the echoed message.
# Usage: echo_e2e.sh ORK_BUILD_DIR ECHO_SOURCE_DIR CMAKE_COMMAND CMAKE_GENERATOR
# Exit 77 (ctest: skipped) when the build was configured without the install
# rules (ORK_COMPONENTS other than "all").
set -euo pipefail

build_dir=$1
echo_src=$2
cmake=$3
generator=$4

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs a command quietly; on failure shows its output and stops the test.
quietly() {
  local log=$tmp/step.log
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "command failed: $*"
  fi
}

if [[ ! -f $build_dir/ork-config.cmake ]]; then
  echo "skipped: $build_dir has no ork-config.cmake; configure with -DORK_COMPONENTS=all to get install rules"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ork-echo-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
echo_build=$tmp/echo-build

# 1. Install ork as a package would.
quietly "$cmake" --install "$build_dir" --prefix "$prefix"
[[ -x $prefix/bin/ork ]] || fail "no bin/ork in the installed prefix"
[[ -f $prefix/include/ork/plugin.h && -f $prefix/include/ork/plugin.hpp ]] || fail "plugin headers not installed"
plugins_dir=$prefix/lib/ork/plugins
[[ -d $plugins_dir ]] || fail "no lib/ork/plugins in the installed prefix"

# 2. Build the echo plugin against the installed prefix only.
quietly "$cmake" -S "$echo_src" -B "$echo_build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
grep -qx "ork_DIR:PATH=$prefix/lib/cmake/ork" "$echo_build/CMakeCache.txt" ||
  fail "find_package(ork) did not pick the installed prefix: $(grep '^ork_DIR' "$echo_build/CMakeCache.txt")"
quietly "$cmake" --build "$echo_build"
[[ -f $echo_build/ork_executor_echo.so ]] || fail "the echo build produced no ork_executor_echo.so"

ork=("$prefix/bin/ork" --plugin-dir "$plugins_dir" --plugin-dir "$echo_build")

# 3. `ork plugins` lists echo.
listing=$("${ork[@]}" plugins) || fail "ork plugins exited with $?"
grep -Eq '^loaded +echo 1\.0\.0 .*executor:echo' <<<"$listing" || {
  echo "$listing" >&2
  fail "ork plugins does not list the echo plugin"
}

# 4. The compiler runs echo's check: a message that is a list is refused.
mkdir -p "$tmp/wf"
cat >"$tmp/wf/bad.yaml" <<'EOF'
tasks:
  hello:
    executor: echo
    message: [1, 2]
EOF
status=0
"${ork[@]}" --db "$tmp/ork.db" validate "$tmp/wf/bad.yaml" >"$tmp/bad.out" 2>"$tmp/bad.err" || status=$?
[[ $status -eq 2 ]] || fail "ork validate of a list message exited $status, expected 2: $(cat "$tmp/bad.err")"
grep -q 'message must be a string, got a list' "$tmp/bad.err" ||
  fail "echo's check error is not shown: $(cat "$tmp/bad.err")"

# 5. A run succeeds and its JSON output carries the message and the input object.
cat >"$tmp/wf/hello.yaml" <<'EOF'
name: hello_echo
tasks:
  hello:
    executor: echo
    message: hi
EOF
status=0
(cd "$tmp/wf" && "${ork[@]}" --db "$tmp/ork.db" run hello.yaml --json) >"$tmp/run.json" 2>"$tmp/run.err" ||
  status=$?
[[ $status -eq 0 ]] || fail "ork run exited $status: $(cat "$tmp/run.err") $(cat "$tmp/run.json")"

run_id=$(/usr/bin/python3 - "$tmp/run.json" <<'EOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    run = json.load(f)
task = run["tasks"]["hello"]
problems: list[str] = []
if run.get("status") != "succeeded":
    problems.append(f"run status is {run.get('status')!r}")
if task.get("status") != "succeeded":
    problems.append(f"task status is {task.get('status')!r}, error {task.get('error')!r}")
output = task.get("output")
if not isinstance(output, dict) or output.get("message") != "hi":
    problems.append(f"task output is {output!r}, expected message 'hi'")
elif not isinstance(output.get("input"), dict):
    problems.append(f"task output's input is {output.get('input')!r}, expected the input object")
for p in problems:
    print(p, file=sys.stderr)
if problems:
    sys.exit(1)
print(run["run_id"])
EOF
) || fail "ork run --json output is not as expected: $(cat "$tmp/run.json")"

# 6. echo's log line was stored with the run.
logs=$("${ork[@]}" --db "$tmp/ork.db" logs "$run_id" hello) || fail "ork logs exited with $?"
grep -q 'hi' <<<"$logs" || fail "echo's log line 'hi' is not in the run's logs: $logs"

echo "echo plugin end to end: ok"
