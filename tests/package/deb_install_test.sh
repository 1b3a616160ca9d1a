#!/usr/bin/env bash
# The Debian package end to end: `cpack -G DEB` this build, check the .deb's
# name and Depends:, extract it with `dpkg -x` into an empty root (no root
# privileges, no container: the files land exactly where dpkg -i would put
# them, under ROOT instead of /), then, from an unrelated directory:
# run the installed `ork` on examples (it finds its plugins and workers
# relative to its own binary), import the installed Python SDK, `ork init` +
# `ork run`, and build the out-of-tree echo plugin with find_package(ork)
# against ROOT/usr only and run it with the installed ork.
# Usage: deb_install_test.sh BUILD_DIR SOURCE_DIR CMAKE_COMMAND CMAKE_GENERATOR VERSION
# Exit 77 (ctest: skipped) when the build has no package rules or dpkg tools.
set -euo pipefail

build_dir=$1
source_dir=$2
cmake=$3
generator=$4
version=$5
cpack=$(dirname "$cmake")/cpack

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
  echo "skipped: $build_dir has no install rules; configure with -DORK_COMPONENTS=all"
  exit 77
fi
[[ -f $build_dir/CPackConfig.cmake ]] || fail "$build_dir has install rules but no CPackConfig.cmake (cmake/OrkPackage.cmake)"
for tool in dpkg dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is missing (apt-get install dpkg-dev)"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ork-deb-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root" "$tmp/out" "$tmp/elsewhere"

# 1. Build the package from this build tree.
(cd "$build_dir" && quietly "$cpack" -G DEB -B "$tmp/out")
arch=$(dpkg --print-architecture)
deb=$tmp/out/ork_${version}_${arch}.deb
[[ -f $deb ]] || fail "no ork_${version}_${arch}.deb; cpack wrote: $(ls "$tmp/out")"

# 2. Depends: derived by dpkg-shlibdeps (the C++ runtime, Graphviz, libpython)
#    plus python3.
depends=$(dpkg-deb -f "$deb" Depends)
for dep in python3 libc6 libstdc++6 libgvc6 libyaml-cpp libsqlite3-0 libpython3; do
  grep -q "\\b$dep" <<<"$depends" || fail "Depends: lacks $dep: $depends"
done

# 3. Extract into the empty root.
quietly dpkg -x "$deb" "$root"
usr=$root/usr
[[ -x $usr/bin/ork ]] || fail "no usr/bin/ork in the package"
for f in lib/ork/plugins/ork_executor_process.so lib/ork/plugins/ork_executor_python.so \
         lib/ork/plugins/ork_storage_sqlite.so lib/ork/ork-python-worker lib/ork/ork-library-worker \
         include/ork/plugin.h include/ork/task.h lib/python3/dist-packages/ork_sdk/__init__.py \
         share/doc/ork/README.md share/doc/ork/cli.md; do
  [[ -e $usr/$f ]] || fail "usr/$f is not in the package"
done
config=$(find "$usr/lib" -name ork-config.cmake -path '*/cmake/ork/*')
[[ -n $config ]] || fail "no CMake package config (ork-config.cmake) in the package"

# Nothing may come from the build tree: no plugin path, run from elsewhere.
export ORK_PLUGIN_PATH=
cd "$tmp/elsewhere"
ork=("$usr/bin/ork" --db "$tmp/ork.db")

# 4. The installed ork loads the plugins beside it.
"${ork[@]}" --version | grep -Eq "^ork $version \\(commit " || fail "ork --version: $("${ork[@]}" --version)"
plugins=$("${ork[@]}" plugins) || fail "ork plugins exited with $?"
for p in executor_process executor_python storage_sqlite; do
  grep -Eq "^loaded +${p#*_} " <<<"$plugins" || fail "plugin ${p#*_} not loaded: $plugins"
  grep -Fq "$usr/lib/ork/plugins/ork_$p.so" <<<"$plugins" || fail "plugin $p not loaded from the root: $plugins"
done

# 5. Examples run from an unrelated directory: shell and Python processes
#    (hello), typed Python functions through the installed python worker.
cp -r "$source_dir/examples/hello" "$source_dir/examples/simple_args" "$tmp/"
for wf in "$tmp/hello/hello.yaml" "$tmp/simple_args/simple_args.yaml"; do
  status=0
  "${ork[@]}" run "$wf" --json >"$tmp/run.json" 2>"$tmp/run.err" || status=$?
  [[ $status -eq 0 ]] || fail "installed ork run $wf exited $status: $(cat "$tmp/run.err")"
  grep -q '"status": "succeeded"' "$tmp/run.json" || fail "run of $wf did not succeed: $(cat "$tmp/run.json")"
done

# 6. The Python SDK imports from the installed tree.
sdk=$(PYTHONPATH=$usr/lib/python3/dist-packages /usr/bin/python3 -c 'import ork_sdk; print(ork_sdk.__file__)')
[[ $sdk == "$usr/lib/python3/dist-packages/ork_sdk/__init__.py" ]] || fail "ork_sdk imported from $sdk"

# 7. ork init's templates are inside the installed binary.
mkdir "$tmp/project"
(cd "$tmp/project" && quietly "$usr/bin/ork" init && quietly "$usr/bin/ork" run workflow.yaml)

# 8. The echo plugin, built against the extracted tree only, run by the installed
#    ork (ORK_PLUGIN_PATH adds its directory to the plugins beside the binary).
echo_build=$tmp/echo-build
quietly "$cmake" -S "$source_dir/examples/plugins/echo" -B "$echo_build" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$usr" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
grep -q "^ork_DIR:PATH=$usr/" "$echo_build/CMakeCache.txt" ||
  fail "find_package(ork) did not pick the extracted tree: $(grep '^ork_DIR' "$echo_build/CMakeCache.txt")"
quietly "$cmake" --build "$echo_build"
cat >"$tmp/echo.yaml" <<'YAML'
name: echo_from_deb
tasks:
  hello: {executor: echo, message: from the package}
YAML
status=0
ORK_PLUGIN_PATH=$echo_build "${ork[@]}" run "$tmp/echo.yaml" --json >"$tmp/echo.json" 2>"$tmp/echo.err" || status=$?
[[ $status -eq 0 ]] || fail "echo run exited $status: $(cat "$tmp/echo.err")"
grep -q '"message": "from the package"' "$tmp/echo.json" || fail "echo output: $(cat "$tmp/echo.json")"

echo "debian package end to end: ok ($(basename "$deb"))"
