// A task's code identity for `cache:`: one hash over the contents of the
// files its executor says make up its code (ork_check_sink.code_files), so
// that changing any of them changes the task's cache key. Used by the
// workflow compiler (cache_settings.cpp) and its unit tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ork::host {

struct CodeHash {
  std::string hash;                 // hex SHA-256
  std::vector<std::string> files;   // as shown to users: relative to the workflow directory when inside it
};

// Hashes each file's path (as shown) and contents, in sorted order, so that
// the order an executor reports them in does not matter. nullopt with
// `error` set when a file cannot be read.
std::optional<CodeHash> hash_code_files(const std::vector<std::string>& files, const std::filesystem::path& dir,
                                        std::string& error);

}  // namespace ork::host
