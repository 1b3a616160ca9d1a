# Install layout (bin/ork, lib/ork/plugins/, include/ork/) and the CMake
# package config that lets third parties build plugins with find_package(ork).
include(CMakePackageConfigHelpers)

install(EXPORT ork-targets NAMESPACE ork:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ork)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ork-config.cmake.in
  ${CMAKE_BINARY_DIR}/ork-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ork
  PATH_VARS ORK_INSTALL_PLUGINDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ork-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/ork-config.cmake ${CMAKE_BINARY_DIR}/ork-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ork)

# The .deb (cpack -G DEB; scripts/package.sh).
include(${CMAKE_CURRENT_LIST_DIR}/OrkPackage.cmake)
