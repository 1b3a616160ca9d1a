#!/usr/bin/env bash
# Builds the Debian package: configures a release build for prefix /usr in its
# own build directory (build-package/, reusing ccache; the tests are not built),
# builds it and runs `cpack -G DEB` there. Prints the path of the .deb
# (build-package/ork_<version>_<arch>.deb). Install it with
#   sudo apt install ./build-package/ork_*.deb
# Usage: scripts/package.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build-package}
command -v dpkg-shlibdeps >/dev/null || {
  echo "package.sh: dpkg-shlibdeps is missing (Debian: apt-get install dpkg-dev)" >&2
  exit 1
}
if [[ ! -f $build_dir/build.ninja ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DPython_EXECUTABLE=/usr/bin/python3 -DORK_BUILD_TESTS=OFF ${ORK_CMAKE_ARGS:-}
fi
cmake --build "$build_dir" -j"${ORK_JOBS:-$(nproc)}"
(cd "$build_dir" && cpack -G DEB -B "$PWD" >cpack.log) || {
  cat "$build_dir/cpack.log" >&2
  exit 1
}
ls "$PWD/$build_dir"/ork_*.deb
