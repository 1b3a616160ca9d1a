#include "library_executor.hpp"

#include <algorithm>
#include <thread>

#include "task_config.hpp"

namespace ork::plugins::library {
namespace {

std::size_t idle_workers_to_keep();

}  // namespace

LibraryExecutor::LibraryExecutor() : workers_(idle_workers_to_keep()) {}

void LibraryExecutor::check(const ork::plugin::TaskSpec& spec, const ork::plugin::CheckSink& sink) {
  try {
    TaskConfig config = parse_task_config(spec.config_json, spec.workflow_dir);
    TaskDescription description =
        config.isolate ? workers_.describe(config) : describe_in_process(config.file, config.function);
    for (const TaskProblem& problem : description.problems) sink.error(problem.key, problem.message);
    if (description.signature) sink.signature(*description.signature);
    // The shared library is the task's code, wherever it lives: its bytes
    // change with every rebuild, so its hash tells `cache:` when to miss.
    if (description.problems.empty()) sink.code_files({std::filesystem::absolute(config.file).lexically_normal().string()});
  } catch (const TaskProblemError& e) {
    sink.error(e.key(), e.what());
  }
}

TaskDescription LibraryExecutor::describe_in_process(const std::filesystem::path& file, const std::string& function) {
  std::int64_t mtime = 0;
  try {
    mtime = file_version(file);
  } catch (const TaskProblemError&) {
    return describe_task(libraries_, file, function);  // it words the problem
  }
  std::string key = file.string();
  key.push_back('\0');
  key.append(function);
  {
    std::lock_guard lock(described_mutex_);
    if (auto it = described_.find(key); it != described_.end() && it->second.mtime == mtime) {
      return it->second.description;
    }
  }
  TaskDescription description = describe_task(libraries_, file, function);
  std::lock_guard lock(described_mutex_);
  described_[key] = CachedDescription{mtime, description};
  return description;
}

void LibraryExecutor::run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) {
  TaskConfig config;
  try {
    config = parse_task_config(request.spec.config_json, request.spec.workflow_dir);
    if (!config.isolate) {
      TaskFunction function = libraries_.function(config.file, config.function);
      in_process_.run(function, request, sink);
      return;
    }
  } catch (const TaskProblemError& e) {
    sink.fail(e.what());
    return;
  }
  workers_.run(config, request, sink);
}

void LibraryExecutor::cancel(std::uint64_t attempt_token) {
  in_process_.cancel(attempt_token);
  workers_.cancel(attempt_token);
}

namespace {

std::size_t idle_workers_to_keep() {
  // Enough warm workers for every scheduler thread on a typical machine.
  return std::max<std::size_t>(4, 2 * std::thread::hardware_concurrency());
}

}  // namespace
}  // namespace ork::plugins::library
