#!/bin/sh
# A process task mapped over the files: reads one JSON object on stdin,
# {"file": {"name": ..., "sha256": ...}, "folder": ..., ...}, and answers the
# file's line count (header included) on an ORK_OUTPUT: line. It runs in the
# workflow's directory, so a relative folder is found from there.
set -eu
input=$(cat)
name=$(printf '%s' "$input" | sed -n 's/.*"name": *"\([^"]*\)".*/\1/p')
folder=$(printf '%s' "$input" | sed -n 's/.*"folder": *"\([^"]*\)".*/\1/p')
echo "counting $folder/$name"
echo "ORK_OUTPUT:$(wc -l < "$folder/$name")"
