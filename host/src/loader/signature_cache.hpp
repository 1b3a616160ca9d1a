// Introspection results kept across runs, so that compiling an unchanged
// workflow does not ask a language plugin again (for Python that is a worker
// process importing every task module: most of `ork validate`'s time). Used
// by the plugin registry's introspect (language.cpp) for every language,
// built-in or third-party, without knowing any of them.
//
// An entry is one JSON file under `<build root>/signatures/`, named by the
// SHA-256 of its key: the language, the plugin's describe() answer (the
// toolchain and its version, so another interpreter or compiler misses) and
// the task request (workflow directory, file, function, the task's keys,
// executor, workdir, env). It holds the signature, the code files the
// language named and the SHA-256 of the content of each of those files and of
// the task's own file: a hit only while every one still hashes the same, so
// editing the task file or a module it imports from the workflow directory
// misses. Only successful introspections are kept, and only once the whole
// workflow compiled (`write_pending`): a refused workflow writes nothing, and
// refusals are asked again every time. Entries are written atomically (temp
// file + rename); one that cannot be read or parsed is a miss, and a build
// root that cannot be written only means nothing is kept.
#pragma once

#include "workflow/language_catalog.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ork::host {

class SignatureCache {
 public:
  explicit SignatureCache(std::filesystem::path directory) : directory_(std::move(directory)) {}

  // `toolchain` is the language's describe() JSON.
  static std::string key_of(std::string_view language, std::string_view toolchain, const LanguageTaskRequest& request);

  std::optional<TaskCheckResult> find(const std::string& key);
  // Remembers `result` for write_pending if it is a success whose code can be
  // hashed now: its code files plus `task_file` (the task's own file, or "").
  void add(const std::string& key, const TaskCheckResult& result, const std::string& task_file);
  // Writes the entries added since the last call (the workflow compiled).
  void write_pending();

  const std::filesystem::path& directory() const { return directory_; }

 private:
  // A file as stat() saw it when it was hashed.
  struct Stamp {
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;
    std::uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  // Entries this process already checked, valid while their files keep their
  // stamps: the 1000 tasks of a fan over one function hash its file once.
  struct Checked {
    TaskCheckResult result;
    std::vector<std::pair<std::string, Stamp>> stamps;
  };
  static std::optional<Stamp> stamp_of(const std::string& path);
  std::optional<TaskCheckResult> find_checked(const std::string& key);
  void remember(const std::string& key, const TaskCheckResult& result, const std::vector<std::string>& files);
  std::filesystem::path entry_path(const std::string& key) const;

  std::filesystem::path directory_;
  std::mutex mutex_;
  std::unordered_map<std::string, Checked> checked_;
  std::map<std::string, std::string> pending_;  // key -> entry JSON
};

}  // namespace ork::host
