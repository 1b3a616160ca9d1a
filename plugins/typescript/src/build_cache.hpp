// What ork_ts_compile.js answered for a task file, kept so that an unchanged
// task is neither re-read by the TypeScript compiler nor rebuilt: in memory
// for this process, and on disk as <build_dir>/index/<key>.json for the next
// `ork validate`/`ork run`. An entry is valid while every source file the
// compile read (the task file and what it imports) keeps its identity
// (mtime in ns, size, inode): checking that costs a few stat calls, which is
// what keeps a cached prepare well under 5 ms. The build itself lives in the
// content-addressed <build_dir>/<sha256>/ that the compile script wrote.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ork_executor/file_stamp.hpp"

namespace ork::plugins::typescript {

using executor::FileStamp;
using executor::stamp_of;

struct SourceStamp {
  std::filesystem::path path;
  FileStamp stamp;
};

struct CompiledFile {
  std::string hash;                  // the build's content hash
  std::string module;                // absolute path of the task file's emitted .js
  boost::json::object functions;     // NAME -> {"signature", ...} | {"errors": [...]}
  std::vector<std::string> local;    // functions defined but not exported
  std::vector<SourceStamp> sources;  // what the compile read, as it was before the compile
};

class BuildCache {
 public:
  // `toolchain_key` names the plugin, compiler and node versions: entries
  // made by another toolchain are never used.
  explicit BuildCache(std::string toolchain_key) : toolchain_key_(std::move(toolchain_key)) {}

  // The valid entry for `file` under `build_dir`, from memory or disk.
  std::optional<CompiledFile> find(const std::filesystem::path& build_dir, const std::filesystem::path& file);
  // Remembers `compiled` (in memory, and on disk via a temporary file renamed into place).
  void store(const std::filesystem::path& build_dir, const std::filesystem::path& file, const CompiledFile& compiled);

 private:
  std::string memory_key(const std::filesystem::path& build_dir, const std::filesystem::path& file) const;
  std::filesystem::path index_path(const std::filesystem::path& build_dir, const std::filesystem::path& file) const;
  static bool still_valid(const CompiledFile& compiled);

  std::string toolchain_key_;
  std::mutex mutex_;
  std::unordered_map<std::string, CompiledFile> entries_;
};

}  // namespace ork::plugins::typescript
