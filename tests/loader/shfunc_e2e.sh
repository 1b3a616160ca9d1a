#!/usr/bin/env bash
# The third-party language path end to end: install this build of ork into a
# temporary prefix, build examples/plugins/shfunc against that prefix only
# (find_package), then let the INSTALLED `ork` list the language, refuse an
# untyped parameter at its FILE:LINE:COL, and validate and run a workflow of
# two shell-function tasks whose edge is typed from their `# ork:` headers.
# Usage: shfunc_e2e.sh ORK_BUILD_DIR SHFUNC_SOURCE_DIR CMAKE_COMMAND CMAKE_GENERATOR
# Exit 77 (ctest: skipped) without install rules (ORK_COMPONENTS other than "all").
set -euo pipefail

build_dir=$1
src=$2
cmake=$3
generator=$4

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ork-shfunc-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
plugin_build=$tmp/shfunc-build

quietly "$cmake" --install "$build_dir" --prefix "$prefix"
quietly "$cmake" -S "$src" -B "$plugin_build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
grep -qx "ork_DIR:PATH=$prefix/lib/cmake/ork" "$plugin_build/CMakeCache.txt" ||
  fail "find_package(ork) did not pick the installed prefix"
quietly "$cmake" --build "$plugin_build"
[[ -f $plugin_build/ork_language_shfunc.so ]] || fail "no ork_language_shfunc.so"

ork=("$prefix/bin/ork" --plugin-dir "$prefix/lib/ork/plugins" --plugin-dir "$plugin_build")

listing=$("${ork[@]}" plugins) || fail "ork plugins exited with $?"
grep -Fq 'language shfunc: files .sh, runs on process, bash' <<<"$listing" || {
  echo "$listing" >&2
  fail "ork plugins does not list the shfunc language"
}

cd "$tmp"
mkdir tasks
cat > tasks/steps.sh <<'SH'
# ork: count(word: str, times: int = 2) -> list[str]
count() {
  echo "counting $(ork_input word)"
  ork_output "[\"$(ork_input word)\", \"$(ork_input word)\"]"
}

# ork: join(items: list[str]) -> str
join() {
  ork_output "\"$(ork_input items | tr -d '[]" ')\""
}

# ork: untyped(items) -> str
untyped() { ork_output '"x"'; }
SH
cat > wf.yaml <<'YAML'
name: shell
tasks:
  count: {file: tasks/steps.sh, function: count, inputs: {word: ork}}
  join: {file: tasks/steps.sh, function: join, inputs: {items: {from: count}}}
YAML
out=$("${ork[@]}" validate wf.yaml) || fail "ork validate exited with $?: $out"
grep -Fq 'count [shfunc on process]' <<<"$out" || fail "validate does not show the language: $out"
grep -Fq '(word: str, times: int = …) -> list[str]' <<<"$out" || fail "no signature from the header: $out"

json=$("${ork[@]}" run wf.yaml --json 2>"$tmp/run.err") || { cat "$tmp/run.err"; fail "ork run exited with $?"; }
[[ $(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks"]["join"]["output"])' <<<"$json") == "ork,ork" ]] ||
  fail "unexpected run result: $json"

cat > bad.yaml <<'YAML'
name: bad
tasks:
  u: {file: tasks/steps.sh, function: untyped, inputs: {items: [a]}}
YAML
set +e
out=$("${ork[@]}" validate bad.yaml 2>&1)
code=$?
set -e
[[ $code -eq 2 ]] || fail "an untyped parameter was accepted (exit $code): $out"
grep -Fq "bad.yaml:3:7: task \"u\": tasks/steps.sh:12:1: parameter 'items' has no type; write items: TYPE" <<<"$out" ||
  fail "the refusal does not keep the source's location: $out"
echo "shfunc e2e: ok"
