// What the workflow compiler needs to know about executors, without knowing
// any by name: which exist, which task keys each accepts, and a compile-time
// check of one task that may yield its signature. Implemented by the plugin
// registry (loader/registry.hpp); tests implement it with fakes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ork::host {

struct ExecutorInfo {
  std::string name;                    // the `executor:` value
  std::vector<std::string> task_keys;  // executor-specific keys it accepts
  bool introspects = false;            // can report a task's signature
};

struct TaskCheckRequest {
  std::string workflow_name;
  std::string workflow_file;  // absolute
  std::string workflow_dir;   // absolute
  std::string task_name;
  std::string config_json;  // JSON object of the task's executor-specific keys
  std::string workdir;      // absolute: the task's `workdir:`, else the workflow's directory
  std::vector<std::string> env;  // the task's `env:` as "KEY=VALUE", in file order
  std::uint64_t check_pass = 0;   // the same for every task of one compile (ork_task_spec.check_pass)
};

struct TaskCheckResult {
  // (key, message): key is the executor-specific key the error is about, or "".
  std::vector<std::pair<std::string, std::string>> errors;
  std::optional<std::string> signature_json;  // see ork_check_sink.signature
};

class LanguageCatalog;  // workflow/language_catalog.hpp

class ExecutorCatalog {
 public:
  virtual ~ExecutorCatalog() = default;
  virtual const ExecutorInfo* find_executor(std::string_view name) const = 0;
  virtual std::vector<std::string> executor_names() const = 0;
  // Throws ork::host::Error(ErrorKind::plugin) when the executor itself broke.
  virtual TaskCheckResult check_task(std::string_view executor, const TaskCheckRequest& request) const = 0;
  // The language plugins (plugin API 1.7), or null when there are none.
  virtual const LanguageCatalog* languages() const { return nullptr; }
};

}  // namespace ork::host
