// `ork plugins`: what was loaded (name, version, API level, capabilities,
// file) and what was refused and why.
#include "cli/cli.hpp"
#include "store/json_views.hpp"

#include <iostream>

namespace ork::host {

namespace {

std::vector<std::string> capabilities(const LoadedPlugin& p) {
  std::vector<std::string> caps;
  if (p.executor) {
    caps.push_back(std::string("executor:") + (p.executor->name ? p.executor->name : "?"));
    if (p.executor->capabilities & ORK_EXECUTOR_INTROSPECTS) caps.push_back("introspect");
  }
  if (p.storage) {
    std::string schemes;
    for (const char* const* s = p.storage->url_schemes; s && *s; ++s) schemes += (schemes.empty() ? "" : ",") + std::string(*s);
    caps.push_back("storage:" + schemes);
  }
  return caps;
}

}  // namespace

int plugins_command(CliContext& ctx) {
  if (ctx.cl.has("--json")) {
    boost::json::array loaded;
    for (const auto& p : ctx.plugins.loaded()) {
      boost::json::array caps;
      for (const auto& c : capabilities(p)) caps.push_back(boost::json::value(c));
      loaded.push_back(boost::json::object{{"name", p.name},
                                           {"version", p.version},
                                           {"api", std::to_string(p.api_major) + "." + std::to_string(p.min_host_minor)},
                                           {"capabilities", std::move(caps)},
                                           {"description", p.description},
                                           {"file", p.file.string()}});
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
  }
  for (const auto& r : ctx.refused) std::cout << r.to_string() << "\n";
  return exit_ok;
}

}  // namespace ork::host
