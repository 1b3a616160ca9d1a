#!/bin/sh
# The `generate` task of {{project}}: reads {"upto": N, ...} on stdin and
# reports the odd numbers 1..N as {"values": [...]}.
set -eu
upto=$(sed 's/^.*"upto"[^0-9-]*\(-\{0,1\}[0-9]*\).*$/\1/')
values=$(seq 1 2 "$upto" | paste -sd, -)
echo "generating the odd numbers up to $upto"
printf 'ORK_OUTPUT:{"values": [%s]}\n' "$values"
