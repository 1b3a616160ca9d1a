// The project templates `ork init` writes (init_command.cpp): the files of
// host/templates/<template>/, named "<template>/<path>", compiled into the
// binary at build time by host/cmake/embed_assets.cmake — like the web UI,
// nothing is read from disk at run time, so an installed ork has them too.
#pragma once

#include "http/static_assets.hpp"

#include <span>

namespace ork::host {

std::span<const EmbeddedAsset> embedded_project_templates();  // generated

}  // namespace ork::host
