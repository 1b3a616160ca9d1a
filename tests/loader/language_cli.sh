#!/bin/sh
# Function-tasks end to end with the fake C language of fake_plugin.c (".fk"
# files, run on the fake executor): `ork plugins` lists the language with its
# extensions, executors and toolchain; `ork validate --json` and `ork graph`
# show the task's language beside its signature; a syntax error in the task's source keeps its
# FILE:LINE:COL and is placed at the task's `file:` key; `ork run` runs the
# task on the executor prepare chose, with the config it returned, and keeps
# no empty build directory behind (the fake builds nothing).
# Usage: language_cli.sh ORK_BINARY GOOD_DIR LANGUAGE_DIR SQLITE_PLUGINS_DIR
set -eu

ork=$1
good_dir=$2
language_dir=$3
store_dir=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

plugins="--plugin-dir $good_dir --plugin-dir $language_dir --plugin-dir $store_dir"

# shellcheck disable=SC2086
text=$("$ork" $plugins plugins) || fail "ork plugins exited with $?"
printf '%s\n' "$text"
printf '%s\n' "$text" | grep -Eq '^loaded +fakelang 0\.0\.1 .*language:fakelang' || fail "no 'loaded fakelang' line"
printf '%s\n' "$text" | grep -Fq 'language fakelang: files .fk, runs on fake, fakec 9.9 (/usr/bin/fakec)' ||
  fail "no language line with extensions, executors and toolchain"
# shellcheck disable=SC2086
"$ork" $plugins plugins --json | /usr/bin/python3 -c '
import json, sys
doc = json.load(sys.stdin)
lang = [p for p in doc["loaded"] if p["name"] == "fakelang"][0]["language"]
assert lang["name"] == "fakelang", lang
assert lang["extensions"] == [".fk"] and lang["executors"] == ["fake"], lang
assert lang["toolchain"]["found"] is True and lang["toolchain"]["version"] == "9.9", lang
' || fail "ork plugins --json has no language entry"

mkdir tasks
printf 'fn score(x: int, y: str = "a") -> int\n' > tasks/score.fk
cat > wf.yaml <<'YAML'
name: lang
tasks:
  score: {file: tasks/score.fk, function: score, inputs: {x: 41}}
YAML
# shellcheck disable=SC2086
json=$("$ork" $plugins validate --json wf.yaml) || fail "ork validate --json exited with $?"
printf '%s\n' "$json" | /usr/bin/python3 -c '
import json, sys
doc = json.load(sys.stdin)
task = doc["tasks"][0] if isinstance(doc["tasks"], list) else doc["tasks"]["score"]
assert task.get("language") == "fakelang", task
assert task.get("executor") == "fake", task
' || fail "ork validate --json does not show the language: $json"

# shellcheck disable=SC2086
dot=$("$ork" $plugins graph wf.yaml) || fail "ork graph exited with $?"
printf '%s\n' "$dot" | grep -Fq 'score [fakelang on fake]' || fail "ork graph does not show the language: $dot"

cat > bad.yaml <<'YAML'
name: bad
tasks:
  score:
    file: tasks/score.fk
    function: broken
    inputs: {x: 1}
YAML
set +e
# shellcheck disable=SC2086
out=$("$ork" $plugins validate bad.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || fail "ork validate of a broken source exited with $code, expected 2: $out"
printf '%s\n' "$out" | grep -Fq "bad.yaml:4:5: task \"score\": tasks/score.fk:3:7: syntax error: expected ')'" ||
  fail "the source's location is not kept at the file: key: $out"

# shellcheck disable=SC2086
"$ork" $plugins run wf.yaml > run.out 2>&1 || { cat run.out; fail "ork run exited with $?"; }
cat run.out
[ -f .ork/ork.db ] || fail "no store .ork/ork.db"
# Only the kept signatures (docs/plugins.md, "Signatures kept") stay in .ork/build.
[ -z "$(ls -A .ork/build 2>/dev/null | grep -vx signatures)" ] ||
  fail "the fake language builds nothing, yet .ork/build holds $(ls -A .ork/build)"
[ -n "$(ls -A .ork/build/signatures 2>/dev/null)" ] || fail "the run kept no signature in .ork/build/signatures"
# `ork worker` runs a function-task from the queue (preparing it itself).
# shellcheck disable=SC2086
"$ork" $plugins worker --slots 1 --name w1 --executors fake > worker.out 2>&1 &
worker=$!
i=0
until grep -q slots worker.out 2>/dev/null; do
  i=$((i + 1))
  [ "$i" -lt 200 ] || { kill "$worker"; cat worker.out; fail "ork worker did not start"; }
  sleep 0.1
done
# shellcheck disable=SC2086
"$ork" $plugins run wf.yaml --workers-only --json > queued.json 2> queued.err || { kill "$worker"; cat queued.json; fail "ork run --workers-only exited with $?"; }
kill "$worker"
wait "$worker" || true
/usr/bin/python3 -c '
import json, sys
run = json.load(open("queued.json"))
assert run["status"] == "succeeded", run
assert run["tasks"]["score"]["output"]["x"] == 41, run["tasks"]["score"]
' || fail "the worker did not run the function-task: $(cat queued.json)"

# Python is a language like any other: a {file: x.py, function: f} task.
cat > tasks/add.py <<'PY'
def add(a: int, b: int = 2) -> int:
    return a + b
PY
cat > py.yaml <<'YAML'
name: py
tasks:
  add: {file: tasks/add.py, function: add, inputs: {a: 40}}
YAML
# shellcheck disable=SC2086
out=$("$ork" $plugins validate py.yaml) || fail "ork validate py.yaml exited with $?: $out"
printf '%s\n' "$out" | grep -Fq '  add [python]' || fail "the python function-task is not shown on python: $out"
printf '%s\n' "$out" | grep -Fq '(a: int, b: int = …) -> int' || fail "no signature from introspect: $out"
# shellcheck disable=SC2086
"$ork" $plugins run py.yaml > py.out 2>&1 || { cat py.out; fail "ork run py.yaml exited with $?"; }
cat > wrong.yaml <<'YAML'
name: wrong
tasks:
  add: {file: tasks/add.py, function: add, executor: process, language: python, inputs: {a: 40}}
YAML
set +e
# shellcheck disable=SC2086
out=$("$ork" $plugins validate wrong.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || fail "a python task on executor process was accepted: $out"
printf '%s\n' "$out" | grep -Fq 'language "python" runs on executor python, not "process"' ||
  fail "no incompatible-executor error: $out"
echo "language cli: ok"
