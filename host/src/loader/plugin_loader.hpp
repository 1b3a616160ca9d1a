// Finds and loads plugin shared objects (Boost.DLL), checks their descriptor
// against the host's API version before running any of their code, and keeps
// every accepted plugin loaded until exit. Used by the CLI at start-up; the
// registry (registry.hpp) builds executor, storage and language lookups on
// top of it. One loader for the three kinds.
#pragma once

#include <ork/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ork::host {

// A plugin's descriptor and tables as this host's API version lays them out.
struct NormalisedTables {
  ork_plugin_descriptor descriptor{};
  ork_executor_vtable executor{};
  ork_storage_vtable storage{};
  ork_language_vtable language{};  // since 1.7
};

struct LoadedPlugin {
  std::filesystem::path file;
  std::string name;
  std::string version;
  std::string description;
  std::uint32_t api_major = 0;
  std::uint32_t min_host_minor = 0;
  // The plugin's tables normalised at load (OBS-style): each is a host-sized,
  // zero-filled copy holding the first `struct_size` bytes the plugin gave, so
  // a member the plugin's API minor lacks reads as NULL and no caller ever
  // compares `struct_size` itself. `struct_size` keeps the plugin's value.
  const ork_plugin_descriptor* descriptor = nullptr;
  const ork_executor_vtable* executor = nullptr;  // null unless an executor
  const ork_storage_vtable* storage = nullptr;    // null unless a storage backend
  const ork_language_vtable* language = nullptr;  // null unless a language (API 1.7)
  void* state = nullptr;                          // from init, passed back to every call
  std::unique_ptr<boost::dll::shared_library> library;
  std::unique_ptr<const NormalisedTables> tables;  // owns the copies above
};

struct RefusedPlugin {
  std::filesystem::path file;
  std::string reason;  // one actionable line, without the file name

  std::string to_string() const;  // "refused FILE: REASON"
};

class PluginSet {
 public:
  // Loads every `ork_*.so` in `dirs` (in order; missing dirs are skipped).
  static PluginSet load(const std::vector<std::filesystem::path>& dirs);

  PluginSet() = default;
  PluginSet(PluginSet&&) = default;
  PluginSet& operator=(PluginSet&&) = default;
  ~PluginSet();

  const std::vector<LoadedPlugin>& loaded() const { return loaded_; }
  const std::vector<RefusedPlugin>& refused() const { return refused_; }

 private:
  void load_file(const std::filesystem::path& file);

  std::vector<LoadedPlugin> loaded_;
  std::vector<RefusedPlugin> refused_;
};

// The default search path: --plugin-dir values if any, else the plugins
// installed beside the binary (<exe>/../lib/ork/plugins); then ORK_PLUGIN_PATH.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::filesystem::path>& plugin_dirs);

// The host services handed to plugins.
const ork_host_api* host_api();
void set_plugin_diagnostics_verbose(bool verbose);

}  // namespace ork::host

// The host-owned error slot behind the opaque `ork_error`.
struct ork_error {
  std::string message;
};
