// The library executor's task keys (`file`, `function`, `isolate`) read from
// the JSON the host hands over, with `file` resolved against the workflow's
// directory. Used by the executor at check and run time.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ork::plugins::library {

struct TaskConfig {
  std::filesystem::path file;  // absolute
  std::string function;        // the task symbol
  bool isolate = false;        // run in a helper process
};

// Throws TaskProblemError naming the offending key.
TaskConfig parse_task_config(std::string_view config_json, std::string_view workflow_dir);

}  // namespace ork::plugins::library
