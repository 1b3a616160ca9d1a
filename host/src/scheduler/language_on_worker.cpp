#include "scheduler/language_on_worker.hpp"

#include <boost/json.hpp>

#include <filesystem>

namespace ork::host {

namespace {

std::string text_of(const boost::json::object& source, const char* key) {
  const boost::json::value* value = source.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

std::optional<std::string> prepare_on_worker(const PluginRegistry& registry, ExecutorRunRequest& request,
                                             const std::string& executor) {
  if (request.language.empty() || !registry.find_language(request.language)) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value source = boost::json::parse(request.source_json, ec);
  if (ec || !source.is_object()) return "the queued attempt's source keys are not a JSON object";
  LanguageTaskRequest task;
  task.workflow_name = request.workflow_name;
  task.workflow_file = request.workflow_file;
  task.workflow_dir = request.workflow_dir;
  task.task_name = request.task_name;
  task.file = text_of(source.as_object(), "file");
  if (!task.file.empty()) {
    task.file_path = (std::filesystem::path(request.workflow_dir) / task.file).lexically_normal().string();
  }
  task.function = text_of(source.as_object(), "function");
  task.config_json = request.source_json;
  task.executor = executor;
  task.workdir = request.workdir;
  task.env = request.env;
  try {
    LanguagePrepareResult prepared = registry.prepare(request.language, task);
    if (!prepared.errors.empty()) {
      return "language '" + request.language + "' could not prepare the task on this worker: " +
             prepared.errors.front().second;
    }
    request.config_json = *prepared.config_json;
  } catch (const std::exception& e) {
    return e.what();
  }
  return std::nullopt;
}

}  // namespace ork::host
