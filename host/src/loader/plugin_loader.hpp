// Finds and loads plugin shared objects (Boost.DLL), checks their descriptor
// against the host's API version before running any of their code, and keeps
// every accepted plugin loaded until exit. Used by the CLI at start-up; the
// registry (registry.hpp) builds executor, storage and language lookups on
// top of it. One loader for the three kinds. Storage plugin files
// (ork_storage_*.so) may be left for when a store URL needs one.
#pragma once

#include <ork/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
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

// When PluginSet::load loads the files named like storage plugins,
// `ork_storage_<name>.so` (docs/plugins.md, "When plugins load").
enum class StorageLoading {
  at_start,             // with every other plugin
  when_a_store_opens,  // load_storage_for(scheme), when a store URL of a scheme no loaded plugin serves opens
};

class PluginSet {
 public:
  // Loads every `ork_*.so` in `dirs` (in order; missing dirs are skipped),
  // but for `when_a_store_opens` leaves the `ork_storage_*.so` files for
  // load_storage_for: the postgres plugin alone (libpq, krb5, gnutls) cost
  // every `ork` command ~4 ms of dynamic loading.
  static PluginSet load(const std::vector<std::filesystem::path>& dirs,
                        StorageLoading storage = StorageLoading::at_start);

  PluginSet() = default;
  PluginSet(PluginSet&&) = default;
  PluginSet& operator=(PluginSet&&) = default;
  ~PluginSet();

  // A deque: loading a deferred plugin adds to it without moving the others,
  // which the registry points to.
  const std::deque<LoadedPlugin>& loaded() const { return loaded_; }
  const std::vector<RefusedPlugin>& refused() const { return refused_; }
  // Storage plugin files not loaded yet.
  const std::vector<std::filesystem::path>& deferred_storage() const { return deferred_storage_; }

  // Loads deferred storage plugins until one serves `scheme`: first the files
  // whose <name> begins the scheme (ork_storage_sqlite.so for "sqlite" and
  // for "file", a plain path, ork_storage_postgres.so for "postgresql"), then
  // the others in load order.
  // Each file is loaded (or refused) once; the new ones end loaded() and refused().
  void load_storage_for(std::string_view scheme);
  // Loads every deferred storage plugin (`ork plugins`, or a scheme no plugin serves).
  void load_deferred_storage();

 private:
  void load_file(const std::filesystem::path& file);
  void load_deferred(std::size_t index);

  std::deque<LoadedPlugin> loaded_;
  std::vector<RefusedPlugin> refused_;
  std::vector<std::filesystem::path> deferred_storage_;
};

// Whether `plugin` lists `scheme` among its storage URL schemes.
bool serves_scheme(const LoadedPlugin& plugin, std::string_view scheme);

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
