#!/bin/sh
# `ork plugins` end to end: with a directory holding the good fake plugin and
# one holding a plugin built for ABI major 2, the text output lists `fake` as
# loaded and prints the refusal line; `--json` says the same in its stable form.
# Usage: ork_plugins_cli.sh ORK_BINARY GOOD_DIR WRONG_MAJOR_DIR
set -eu

ork=$1
good_dir=$2
wrong_major_dir=$3
reason='ABI major 2, host supports 1; rebuild against ork 1.x'

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

text=$("$ork" --plugin-dir "$good_dir" --plugin-dir "$wrong_major_dir" plugins) ||
  fail "ork plugins exited with $?"
printf '%s\n' "$text"

printf '%s\n' "$text" | grep -Eq '^loaded +fake 0\.0\.1 .*executor:fake' ||
  fail "no 'loaded fake 0.0.1 ... executor:fake' line"
printf '%s\n' "$text" | grep -Fq "$good_dir/ork_fake_good.so" ||
  fail "the loaded plugin's file is not shown"
printf '%s\n' "$text" | grep -Eq "^refused .*ork_fake_wrong_major\.so: $reason\$" ||
  fail "no refusal line for ork_fake_wrong_major.so with reason '$reason'"
[ "$(printf '%s\n' "$text" | grep -c '^loaded ')" -eq 1 ] || fail "expected exactly one loaded plugin"

json=$("$ork" --plugin-dir "$good_dir" --plugin-dir "$wrong_major_dir" plugins --json) ||
  fail "ork plugins --json exited with $?"

ORK_JSON=$json ORK_REASON=$reason /usr/bin/python3 - <<'EOF' || fail "ork plugins --json is not as expected"
import json
import os
import sys

doc = json.loads(os.environ["ORK_JSON"])
problems: list[str] = []
loaded = doc.get("loaded", [])
if [p.get("name") for p in loaded] != ["fake"]:
    problems.append(f"loaded should be exactly ['fake'], got {loaded!r}")
elif "executor:fake" not in loaded[0].get("capabilities", []):
    problems.append(f"fake should have capability executor:fake, got {loaded[0]!r}")
refused = doc.get("refused", [])
if len(refused) != 1:
    problems.append(f"refused should hold one entry, got {refused!r}")
else:
    if not refused[0].get("file", "").endswith("/ork_fake_wrong_major.so"):
        problems.append(f"refused file is {refused[0].get('file')!r}")
    if refused[0].get("reason") != os.environ["ORK_REASON"]:
        problems.append(f"refused reason is {refused[0].get('reason')!r}")
if not doc.get("host_api", "").startswith("1."):
    problems.append(f"host_api is {doc.get('host_api')!r}")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "ork plugins: ok"
