// What the API may tell a client about the server's machine: error text
// (HTTP errors, compile errors, run, task and attempt errors) shows paths
// relative to the served workflows folder and never the server's
// environment — a plugin's "program not found on PATH (PATH=...)" reads
// "PATH=$PATH". The CLI, run on the server's machine, shows the full text.
// Used by serve/api_routes.cpp.
#pragma once

#include <boost/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ork::host {

class ApiRedactor {
 public:
  // `path_variable`: the server's PATH (nullptr when unset).
  ApiRedactor(const std::filesystem::path& workflows_directory, const char* path_variable);

  std::string operator()(std::string_view message) const;
  // Redacts, in place, every string under a key named "error" or "message", at any depth.
  void redact_errors(boost::json::value& value) const;

 private:
  std::vector<std::pair<std::string, std::string>> replacements_;  // longest first
};

}  // namespace ork::host
