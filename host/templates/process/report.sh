#!/bin/sh
# The `report` task of {{project}}: logs what it received and reports one line.
set -eu
input=$(cat)
echo "run $ORK_RUN_ID, task $ORK_TASK, attempt $ORK_ATTEMPT received: $input"
count=$(printf '%s' "$input" | sed 's/^.*"count"[^0-9]*\([0-9]*\).*$/\1/')
printf 'ORK_OUTPUT:{"line": "%s numbers reported"}\n' "$count"
