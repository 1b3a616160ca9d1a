// What the workflow compiler needs to know about language plugins (plugin API
// 1.7), without knowing any by name: which languages exist, which file
// extensions and task keys each claims, which executors can run what it
// builds, and the two compile-time calls, introspect and prepare. Implemented
// by the plugin registry (loader/registry.hpp); compiler tests use fakes.
// Reached through ExecutorCatalog::languages() so the compiler's entry points
// keep their one catalog parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/executor_catalog.hpp"

namespace ork::host {

struct LanguageInfo {
  std::string name;                     // the `language:` value
  std::vector<std::string> extensions;  // with their dot: ".rs"
  std::vector<std::string> task_keys;   // language-specific keys besides file, function, language
  std::vector<std::string> executors;   // the first is the default
  std::string plugin;                   // the plugin that provides it
};

// One function-task as the compiler hands it to a language (ork_language_task).
struct LanguageTaskRequest {
  std::string workflow_name;
  std::string workflow_file;  // absolute
  std::string workflow_dir;   // absolute
  std::string task_name;
  std::string file;       // as written
  std::string file_path;  // absolute, normalised; may not exist
  std::string function;
  std::string config_json;  // JSON object of the task's keys for the language
  std::string executor;     // the executor it will run on
  std::string workdir;      // absolute
  std::vector<std::string> env;  // "KEY=VALUE"
  std::uint64_t check_pass = 0;
};

struct LanguagePrepareResult {
  std::vector<std::pair<std::string, std::string>> errors;  // (key, message), as TaskCheckResult
  std::optional<std::string> config_json;  // the executor config prepare chose (a JSON object)
};

class LanguageCatalog {
 public:
  virtual ~LanguageCatalog() = default;
  virtual const LanguageInfo* find_language(std::string_view name) const = 0;
  // The language claiming `extension` (with its dot), or null.
  virtual const LanguageInfo* language_for_extension(std::string_view extension) const = 0;
  // The language offered by the plugin that provides `executor`, when that
  // language runs on it (the python plugin: `executor: python` tasks are
  // Python-language tasks), else null.
  virtual const LanguageInfo* language_of_executor(std::string_view executor) const = 0;
  virtual std::vector<const LanguageInfo*> language_list() const = 0;  // by name
  // Both throw ork::host::Error(ErrorKind::plugin) when the plugin broke.
  virtual TaskCheckResult introspect(std::string_view language, const LanguageTaskRequest& request) const = 0;
  virtual LanguagePrepareResult prepare(std::string_view language, const LanguageTaskRequest& request) const = 0;
};

}  // namespace ork::host
