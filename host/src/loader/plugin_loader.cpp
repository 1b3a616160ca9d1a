#include "loader/plugin_loader.hpp"
#include "loader/plugin_files.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <system_error>

namespace ork::host {

namespace {

std::atomic<bool> diagnostics_verbose{false};

void host_set_error(ork_error* slot, ork_str message) {
  if (slot && message.ptr) slot->message.assign(message.ptr, message.len);
}

void host_log(int level, ork_str message) {
  if (level < 2 && !diagnostics_verbose.load()) return;
  static const char* const names[] = {"debug", "info", "warning", "error"};
  const char* name = names[std::clamp(level, 0, 3)];
  std::cerr << "ork: plugin " << name << ": " << std::string_view(message.ptr, message.len) << '\n';
}

const ork_host_api the_host_api = {ORK_STRUCT_SIZE(ork_host_api), ORK_PLUGIN_API_MAJOR, ORK_PLUGIN_API_MINOR,
                                   &host_set_error, &host_log};

// Boost.DLL appends a misleading errno text ("…: Bad file descriptor"); keep dlerror's part.
std::string loader_message(const std::system_error& e) {
  std::string what = e.what();
  if (auto pos = what.rfind("): "); pos != std::string::npos) what.erase(pos + 1);
  const std::string prefix = "dlerror system message: ";
  if (auto pos = what.find(prefix); pos != std::string::npos) {
    what = what.substr(pos + prefix.size());
    if (!what.empty() && what.back() == ')') what.pop_back();
  }
  return what;
}

// The smallest tables a plugin built against API 1.0 may hand us: members
// added later are read only after checking struct_size.
constexpr std::size_t descriptor_size_v1_0 = offsetof(ork_plugin_descriptor, storage) + sizeof(void*);
constexpr std::size_t executor_size_v1_0 = offsetof(ork_executor_vtable, cancel_task) + sizeof(void*);
constexpr std::size_t storage_size_v1_0 = offsetof(ork_storage_vtable, query) + sizeof(void*);
constexpr std::size_t language_size_v1_7 = offsetof(ork_language_vtable, prepare) + sizeof(void*);

// OBS-style normalisation: `into` is zero-filled and host-sized; copy only the
// bytes the plugin declared, so members added after its minor read as NULL.
template <typename Table>
void copy_declared_part(const Table& plugin_table, Table& into) {
  std::memcpy(&into, &plugin_table, std::min<std::size_t>(plugin_table.struct_size, sizeof(Table)));
}

std::unique_ptr<const NormalisedTables> normalise(const ork_plugin_descriptor& d) {
  auto tables = std::make_unique<NormalisedTables>();
  copy_declared_part(d, tables->descriptor);
  if (d.executor) {
    copy_declared_part(*d.executor, tables->executor);
    tables->descriptor.executor = &tables->executor;
  }
  if (d.storage) {
    copy_declared_part(*d.storage, tables->storage);
    tables->descriptor.storage = &tables->storage;
  }
  // A descriptor older than 1.7 has no `language` member: copy_declared_part
  // left it NULL, so its bytes past struct_size are never read.
  if (tables->descriptor.language) {
    copy_declared_part(*tables->descriptor.language, tables->language);
    tables->descriptor.language = &tables->language;
  }
  return tables;
}

bool is_plugin_file(const std::filesystem::path& p) {
  std::string name = p.filename().string();
  return name.starts_with("ork_") && p.extension() == ".so";
}

constexpr std::string_view storage_file_prefix = "ork_storage_";

// The <name> of ork_storage_<name>.so.
std::string storage_file_name(const std::filesystem::path& p) {
  return p.stem().string().substr(storage_file_prefix.size());
}

std::string shown(const std::filesystem::path& file) {
  std::error_code ec;
  auto rel = std::filesystem::relative(file, std::filesystem::current_path(), ec);
  if (!ec && !rel.empty() && !rel.string().starts_with("../..")) return rel.string();
  return file.string();
}

}  // namespace

std::string RefusedPlugin::to_string() const { return "refused " + shown(file) + ": " + reason; }

const ork_host_api* host_api() { return &the_host_api; }

void set_plugin_diagnostics_verbose(bool verbose) { diagnostics_verbose = verbose; }

PluginSet PluginSet::load(const std::vector<std::filesystem::path>& dirs, StorageLoading storage) {
  PluginSet set;
  std::vector<std::filesystem::path> seen;  // the same file reached through two search dirs loads once
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_regular_file(ec) && is_plugin_file(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto canonical = std::filesystem::weakly_canonical(file, ec);
      if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
      seen.push_back(canonical);
      if (storage == StorageLoading::when_a_store_opens && is_storage_plugin_file(file)) {
        set.deferred_storage_.push_back(std::filesystem::absolute(file));
      } else {
        set.load_file(std::filesystem::absolute(file));
      }
    }
  }
  return set;
}

void PluginSet::load_storage_for(std::string_view scheme) {
  auto served = [&] {
    return std::any_of(loaded_.begin(), loaded_.end(), [&](const LoadedPlugin& p) { return serves_scheme(p, scheme); });
  };
  // A plain path (scheme "file") is the default store, `.ork/ork.db`: SQLite's
  // (build_root_for in language.cpp knows it too).
  std::string_view named = scheme == "file" ? std::string_view("sqlite") : scheme;
  for (bool named_for_it : {true, false}) {
    for (std::size_t i = 0; i < deferred_storage_.size() && !served();) {
      if (named.starts_with(storage_file_name(deferred_storage_[i])) == named_for_it) {
        load_deferred(i);
      } else {
        ++i;
      }
    }
  }
}

void PluginSet::load_deferred_storage() {
  while (!deferred_storage_.empty()) load_deferred(0);
}

void PluginSet::load_deferred(std::size_t index) {
  std::filesystem::path file = deferred_storage_[index];
  deferred_storage_.erase(deferred_storage_.begin() + static_cast<std::ptrdiff_t>(index));
  load_file(file);
}

bool serves_scheme(const LoadedPlugin& plugin, std::string_view scheme) {
  if (!plugin.storage) return false;
  for (const char* const* s = plugin.storage->url_schemes; s && *s; ++s) {
    if (scheme == *s) return true;
  }
  return false;
}

bool is_storage_plugin_file(const std::filesystem::path& file) {
  return file.filename().string().starts_with(storage_file_prefix);
}

void PluginSet::load_file(const std::filesystem::path& file) {
  auto refuse = [&](std::string reason) { refused_.push_back({file, std::move(reason)}); };
  auto library = std::make_unique<boost::dll::shared_library>();
  try {
    // RTLD_NODELETE: a plugin's code stays mapped after its handle is
    // closed (see ~PluginSet), without leaking the handle.
    library->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local |
                            static_cast<boost::dll::load_mode::type>(RTLD_NODELETE));
  } catch (const std::system_error& e) {
    return refuse("not loadable: " + loader_message(e));
  }
  if (!library->has(ORK_PLUGIN_ENTRY_SYMBOL)) {
    return refuse("no entry symbol ork_plugin_describe; not an ork plugin, or built without ORK_EXECUTOR_PLUGIN/"
                  "ORK_STORAGE_PLUGIN/ORK_LANGUAGE_PLUGIN");
  }
  auto describe = library->get<const ork_plugin_descriptor*()>(ORK_PLUGIN_ENTRY_SYMBOL);
  const ork_plugin_descriptor* d = describe();
  if (!d) return refuse("ork_plugin_describe returned no descriptor");
  if (d->struct_size < offsetof(ork_plugin_descriptor, api_major) + sizeof(d->api_major)) {
    return refuse("descriptor too small to hold a version; rebuild against ork " +
                  std::to_string(ORK_PLUGIN_API_MAJOR) + ".x");
  }
  if (d->api_major != ORK_PLUGIN_API_MAJOR) {
    return refuse("ABI major " + std::to_string(d->api_major) + ", host supports " +
                  std::to_string(ORK_PLUGIN_API_MAJOR) + "; rebuild against ork " +
                  std::to_string(ORK_PLUGIN_API_MAJOR) + ".x");
  }
  if (d->struct_size < descriptor_size_v1_0) {
    return refuse("descriptor is " + std::to_string(d->struct_size) + " bytes, API 1.0 needs " +
                  std::to_string(descriptor_size_v1_0) + "; rebuild against ork 1.x");
  }
  if (d->min_host_minor > ORK_PLUGIN_API_MINOR) {
    return refuse("needs host API " + std::to_string(d->api_major) + "." + std::to_string(d->min_host_minor) +
                  ", this host has " + std::to_string(ORK_PLUGIN_API_MAJOR) + "." +
                  std::to_string(ORK_PLUGIN_API_MINOR) + "; upgrade ork");
  }
  std::string name = d->name ? d->name : "";
  if (name.empty()) return refuse("descriptor has no name");
  for (const auto& other : loaded_) {
    if (other.name == name) {
      return refuse("duplicate plugin name '" + name + "' (already loaded from " + shown(other.file) + ")");
    }
  }
  const ork_language_vtable* language =
      d->struct_size >= offsetof(ork_plugin_descriptor, language) + sizeof(void*) ? d->language : nullptr;
  if (!d->executor && !d->storage && !language) {
    return refuse("plugin '" + name + "' provides no executor, storage or language");
  }
  if (d->executor && d->executor->struct_size < executor_size_v1_0) {
    return refuse("executor table too small for API 1.0; rebuild against ork 1.x");
  }
  if (d->storage && d->storage->struct_size < storage_size_v1_0) {
    return refuse("storage table too small for API 1.0; rebuild against ork 1.x");
  }
  if (language && language->struct_size < language_size_v1_7) {
    return refuse("language table too small for API 1.7; rebuild against ork 1.x");
  }
  if (language && (!language->name || !*language->name || !language->introspect || !language->prepare)) {
    return refuse("language table has no name, introspect or prepare; fill them in (ORK_LANGUAGE_PLUGIN does)");
  }
  std::unique_ptr<const NormalisedTables> tables = normalise(*d);
  const ork_plugin_descriptor& nd = tables->descriptor;
  if (!nd.init) return refuse("descriptor has no init function");
  ork_error err;
  void* state = nullptr;
  ork_status status = nd.init(&the_host_api, &state, &err);
  if (status != ORK_STATUS_OK) {
    return refuse("init failed: " + (err.message.empty() ? "status " + std::to_string(status) : err.message));
  }
  LoadedPlugin plugin;
  plugin.file = file;
  plugin.name = name;
  plugin.version = nd.version ? nd.version : "";
  plugin.description = nd.description ? nd.description : "";
  plugin.api_major = nd.api_major;
  plugin.min_host_minor = nd.min_host_minor;
  plugin.descriptor = &nd;
  plugin.executor = nd.executor;
  plugin.storage = nd.storage;
  plugin.language = nd.language;
  plugin.state = state;
  plugin.library = std::move(library);
  plugin.tables = std::move(tables);
  loaded_.push_back(std::move(plugin));
}

PluginSet::~PluginSet() {
  // Shut plugins down in reverse load order, but never unload their code:
  // a plugin may own threads or atexit handlers that still point into it.
  // The handles close with loaded_; RTLD_NODELETE keeps the code mapped.
  for (auto it = loaded_.rbegin(); it != loaded_.rend(); ++it) {
    if (it->descriptor && it->descriptor->shutdown) it->descriptor->shutdown(it->state);
  }
}

std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::filesystem::path>& plugin_dirs) {
  std::vector<std::filesystem::path> dirs = plugin_dirs;
  if (dirs.empty()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back(exe.parent_path().parent_path() / "lib" / "ork" / "plugins");
  }
  if (const char* env = std::getenv("ORK_PLUGIN_PATH"); env && *env) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':')) {
      if (!item.empty()) dirs.emplace_back(item);
    }
  }
  return dirs;
}

}  // namespace ork::host
