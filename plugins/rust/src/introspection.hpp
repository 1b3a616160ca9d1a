// A task function's signature as ork-rust-introspect reads it from the source
// (syn; the source is parsed, not compiled), cached by the hash of the file's
// content: in memory, and on disk under the language's build directory so a
// new `ork validate` of an unchanged task does not start the helper again.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "wrapper_crate.hpp"

namespace ork::plugins::rust {

struct Problem {
  std::string key;  // "file" or "function"
  std::string message;
};

struct Introspection {
  std::vector<Problem> problems;  // empty: the function can be a task
  std::string signature_json;     // ork_check_sink.signature JSON
  std::vector<Parameter> params;
  bool returns_result = false;
  std::vector<std::filesystem::path> mods;  // files of its `mod x;` declarations
};

struct SourceFile {
  std::filesystem::path path;  // absolute
  std::string shown;           // as the workflow wrote it, for messages
  std::string content;
};

class Introspector {
 public:
  // Reads `function` in `source`; `cache_dir` exists or can be created.
  Introspection introspect(const SourceFile& source, const std::string& function,
                           const std::filesystem::path& cache_dir);

 private:
  std::mutex mutex_;
  std::map<std::string, Introspection> cache_;  // by content key
};

// Hex SHA-256 of `text`.
std::string sha256(const std::string& text);

// Reads the whole file into `content`; false when it cannot be read.
bool read_file(const std::filesystem::path& path, std::string& content);

}  // namespace ork::plugins::rust
