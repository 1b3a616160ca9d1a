// How plugin files are named, where the name decides how a plugin is used:
// a storage plugin file, `ork_storage_<name>.so`, loads only when a store
// opens, so only its storage is used. Included by the loader, the registry
// and `ork plugins`; kept apart from plugin_loader.hpp, which most of the
// host includes.
#pragma once

#include <filesystem>

namespace ork::host {

// Whether the file is named like a storage plugin, `ork_storage_<name>.so`.
bool is_storage_plugin_file(const std::filesystem::path& file);

}  // namespace ork::host
