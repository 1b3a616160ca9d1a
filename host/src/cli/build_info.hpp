// What `ork --version` reports besides the version number (ORK_VERSION, from
// the CMake project() version): the git commit the binary was built from.
// build_commit() is generated on every build by host/cmake/build_info.cmake.
#pragma once

#include <string_view>

namespace ork::host {

// The abbreviated commit hash, or "unknown" when built outside a git checkout.
std::string_view build_commit();

}  // namespace ork::host
