// The python executor's task keys (file, module, function, python) as parsed
// from the host's config JSON, with each problem tied to the key it is about.
// Used by the executor at compile time (check) and run time (run).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugins::python {

// A problem with the task's keys; `key` is the task key it is about ("" for
// the task as a whole), which the host turns into file:line:col.
struct ConfigProblem {
  std::string key;
  std::string message;
};

// Where the task function lives: a file (absolute, plus the spelling from the
// workflow for messages) or an importable module.
struct TaskTarget {
  std::filesystem::path file;  // empty for a module task
  std::string file_as_written;
  std::string module;  // empty for a file task
  std::string function = "main";
};

struct TaskConfig {
  TaskTarget target;
  std::optional<std::string> python;  // the `python:` key as written
};

struct ParsedTaskConfig {
  TaskConfig config;
  std::vector<ConfigProblem> problems;  // empty when `config` is usable
};

// Parses and validates the keys; a `file:` is resolved against `workflow_dir`
// and must exist.
ParsedTaskConfig parse_task_config(std::string_view config_json, const std::filesystem::path& workflow_dir);

}  // namespace ork::plugins::python
