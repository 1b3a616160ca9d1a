#!/bin/sh
# Function-tasks end to end with the fake C language of fake_plugin.c (".fk"
# files, run on the fake executor): `ork plugins` lists the language with its
# extensions, executors and toolchain; `ork validate --json` shows the task's
# language beside its signature; a syntax error in the task's source keeps its
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
[ ! -e .ork/build ] || fail "the fake language builds nothing, yet .ork/build was left behind"
echo "language cli: ok"
