#!/bin/sh
# The `count` task of {{project}}: a process task in POSIX sh. Its inputs
# arrive as one JSON object on stdin ({"words": ["a", "b", ...]}); the line
# starting with ORK_OUTPUT: is its result, every other line is a log.
set -eu
input=$(cat)
# One word per line. "words" is the first key and its list the first "[...]"
# of the input (`split` keeps only letters, digits and apostrophes), so sed
# can take it apart without a JSON parser.
words=$(printf '%s' "$input" | sed 's/^[^[]*\[//; s/\].*$//' | tr ',' '\n' | sed -n 's/^[^"]*"\([^"]*\)".*$/\1/p')
total=$(printf '%s\n' "$words" | grep -c . || true)
distinct=$(printf '%s\n' "$words" | grep . | sort -u | wc -l | tr -d ' ')
echo "counted $total words in run $ORK_RUN_ID"
printf 'ORK_OUTPUT:{"words": %d, "distinct": %d}\n' "$total" "$distinct"
