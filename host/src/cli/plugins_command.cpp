// `ork plugins`: what was loaded (name, version, API level, capabilities,
// file; for a language its extensions, executors and toolchain) and what was
// refused and why.
#include "cli/cli.hpp"
#include "loader/plugin_files.hpp"
#include "store/json_views.hpp"

#include <iostream>

namespace ork::host {

namespace {

// What the plugin serves; of a storage plugin file (ork_storage_*.so), its
// storage alone: the registry refused the rest, and a refused line says so.
std::vector<std::string> capabilities(const LoadedPlugin& p) {
  std::vector<std::string> caps;
  const bool storage_only = is_storage_plugin_file(p.file);
  if (p.executor && !storage_only) {
    caps.push_back(std::string("executor:") + (p.executor->name ? p.executor->name : "?"));
    if (p.executor->capabilities & ORK_EXECUTOR_INTROSPECTS) caps.push_back("introspect");
  }
  if (p.storage) {
    std::string schemes;
    for (const char* const* s = p.storage->url_schemes; s && *s; ++s) schemes += (schemes.empty() ? "" : ",") + std::string(*s);
    caps.push_back("storage:" + schemes);
  }
  if (p.language && !storage_only) caps.push_back(std::string("language:") + p.language->name);
  return caps;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

boost::json::array json_list(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

// The language a plugin provides, as the registry accepted it, or null.
const Language* language_of(const CliContext& ctx, const LoadedPlugin& p) {
  if (!p.language) return nullptr;
  const Language* language = ctx.registry->language(p.language->name);
  return language && &language->plugin() == &p ? language : nullptr;
}

// "rustc 1.63.0 (/usr/bin/rustc)" or "rustc not found: apt-get install rustc".
std::string toolchain_line(const boost::json::object& toolchain) {
  auto text = [&](const char* key) {
    const boost::json::value* v = toolchain.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  const boost::json::value* found = toolchain.if_contains("found");
  std::string name = text("toolchain").empty() ? "toolchain" : text("toolchain");
  if (found && found->is_bool() && found->as_bool()) {
    return name + " " + text("version") + (text("path").empty() ? "" : " (" + text("path") + ")");
  }
  std::string why = text("error").empty() ? "" : " (" + text("error") + ")";
  return name + " not found" + why + (text("install").empty() ? "" : ": " + text("install"));
}

boost::json::object toolchain_of(const Language& language) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(language.describe(), ec);
  return !ec && parsed.is_object() ? parsed.as_object() : boost::json::object{{"found", false}};
}

}  // namespace

int plugins_command(CliContext& ctx) {
  if (ctx.cl.has("--json")) {
    boost::json::array loaded;
    for (const auto& p : ctx.plugins.loaded()) {
      boost::json::array caps;
      for (const auto& c : capabilities(p)) caps.push_back(boost::json::value(c));
      boost::json::object entry{{"name", p.name},
                                {"version", p.version},
                                {"api", std::to_string(p.api_major) + "." + std::to_string(p.min_host_minor)},
                                {"capabilities", std::move(caps)},
                                {"description", p.description},
                                {"file", p.file.string()}};
      if (const Language* language = language_of(ctx, p)) {
        entry["language"] = boost::json::object{{"name", language->info().name},
                                                {"extensions", json_list(language->info().extensions)},
                                                {"executors", json_list(language->info().executors)},
                                                {"task_keys", json_list(language->info().task_keys)},
                                                {"toolchain", toolchain_of(*language)}};
      }
      loaded.push_back(std::move(entry));
    }
    boost::json::array refused;
    for (const auto& r : ctx.refused) {
      refused.push_back(boost::json::object{{"file", r.file.string()}, {"reason", r.reason}});
    }
    std::cout << pretty_json(boost::json::object{
        {"host_api", std::to_string(ORK_PLUGIN_API_MAJOR) + "." + std::to_string(ORK_PLUGIN_API_MINOR)},
        {"loaded", std::move(loaded)},
        {"refused", std::move(refused)}});
    return exit_ok;
  }
  std::cout << "host plugin API " << ORK_PLUGIN_API_MAJOR << "." << ORK_PLUGIN_API_MINOR << "\n";
  if (ctx.plugins.loaded().empty()) std::cout << "no plugins loaded\n";
  for (const auto& p : ctx.plugins.loaded()) {
    std::cout << "loaded  " << p.name << " " << p.version << " (API " << p.api_major << "." << p.min_host_minor
              << "+) ";
    auto caps = capabilities(p);
    for (std::size_t i = 0; i < caps.size(); ++i) std::cout << (i ? " " : "") << caps[i];
    std::cout << "\n        " << p.file.string() << "\n";
    if (const Language* language = language_of(ctx, p)) {
      std::cout << "        language " << language->info().name << ": files " << joined(language->info().extensions)
                << ", runs on " << joined(language->info().executors) << ", "
                << toolchain_line(toolchain_of(*language)) << "\n";
    }
  }
  for (const auto& r : ctx.refused) std::cout << r.to_string() << "\n";
  return exit_ok;
}

}  // namespace ork::host
