#include "task_config.hpp"

#include <ork/task.h>

#include <boost/json.hpp>

#include "task_problem.hpp"

namespace ork::plugins::library {
namespace {

boost::json::object config_object(std::string_view config_json);
std::string string_key(const boost::json::object& config, std::string_view key);

}  // namespace

TaskConfig parse_task_config(std::string_view config_json, std::string_view workflow_dir) {
  const boost::json::object config = config_object(config_json);
  TaskConfig task;
  if (!config.contains("file")) {
    throw TaskProblemError("", "a library task needs `file:`, the path of its shared library (.so)");
  }
  std::filesystem::path file = string_key(config, "file");
  task.file = file.is_absolute() ? file : std::filesystem::path(workflow_dir) / file;
  task.file = task.file.lexically_normal();
  task.function = config.contains("function") ? string_key(config, "function") : ORK_TASK_DEFAULT_FUNCTION;
  if (const boost::json::value* isolate = config.if_contains("isolate")) {
    if (!isolate->is_bool()) {
      throw TaskProblemError("isolate", "`isolate` must be true or false, not " + boost::json::serialize(*isolate));
    }
    task.isolate = isolate->get_bool();
  }
  return task;
}

namespace {

boost::json::object config_object(std::string_view config_json) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(config_json, error);
  if (error || !parsed.is_object()) {
    throw TaskProblemError("", "the host passed task keys that are not a JSON object: " + std::string(config_json));
  }
  return std::move(parsed.get_object());
}

std::string string_key(const boost::json::object& config, std::string_view key) {
  const boost::json::value& value = config.at(key);
  if (!value.is_string() || value.get_string().empty()) {
    throw TaskProblemError(std::string(key),
                           "`" + std::string(key) + "` must be a non-empty string, not " + boost::json::serialize(value));
  }
  return std::string(value.get_string());
}

}  // namespace
}  // namespace ork::plugins::library
