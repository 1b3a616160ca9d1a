# The Debian package (issue 15): `cpack -G DEB` in a build directory, or
# scripts/package.sh, which configures a release build for prefix /usr.
# Everything the install rules put in the install tree is packaged: the host,
# its plugins and workers, the headers and the CMake package (OrkInstall.cmake),
# plus what this file adds — the Python SDK as an importable package, the docs,
# and the man pages and bash completion when the build has generated them.
# Depends: comes from dpkg-shlibdeps over the installed binaries, plus python3.

# The Python SDK where Debian's python3 imports from (`import ork_sdk`).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/python/ork_sdk
  DESTINATION lib/python3/dist-packages
  FILES_MATCHING PATTERN "*.py" PATTERN "py.typed")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Hook for generated man pages and bash completion: whatever the build wrote to
# ${CMAKE_BINARY_DIR}/share/man/man1/*.1 and
# ${CMAKE_BINARY_DIR}/share/bash-completion/completions/ork is installed (and
# so packaged); globbed at install time, so files generated after configure
# count and their absence is not an error.
install(CODE "
  file(GLOB ork_man_pages \"${CMAKE_BINARY_DIR}/share/man/man1/*.1\")
  if(ork_man_pages)
    file(INSTALL \${ork_man_pages} DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\")
  endif()
  if(EXISTS \"${CMAKE_BINARY_DIR}/share/bash-completion/completions/ork\")
    file(INSTALL \"${CMAKE_BINARY_DIR}/share/bash-completion/completions/ork\"
         DESTINATION \"\${CMAKE_INSTALL_PREFIX}/share/bash-completion/completions\")
  endif()")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ork)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})  # the one version: project() in CMakeLists.txt
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "typed, polyglot workflow orchestrator")
set(CPACK_PACKAGE_DESCRIPTION "ork compiles YAML workflows of typed tasks (Python functions, programs,
shared-library functions) into a checked DAG, runs them with durable state in
SQLite or PostgreSQL, and serves an HTTP API and web UI. Includes the plugin
headers and CMake package for third-party plugins and the Python task SDK.")
set(CPACK_PACKAGE_CONTACT "ork maintainers <ork@invalid>")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/gajop/ork")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ork_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps finds libpython for the python worker, but not the
# interpreter: the worker names /usr/bin/python3 as sys.executable (task code
# that starts subprocesses uses it), the SDK is a python3 package and
# `ork init`'s templates run python3 programs.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")
# What a plugin author needs besides the headers to build against find_package(ork),
# and what C++ function tasks need (g++ builds them, clang-14 reads their signatures).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake, g++, libboost-json1.81-dev, clang-14")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
