#include "worker_process.hpp"

#include <ork/task_environment.hpp>

namespace ork::plugins::python {

namespace {

std::vector<std::string> worker_arguments(const WorkerLaunch& launch);

}  // namespace

std::string WorkerLaunch::key() const {
  std::string key = executable.string() + '\n' + workflow_dir.string() + '\n' + python_executable;
  for (const auto& directory : site_packages) key += '\n' + directory.string();
  return key;
}

executor::WorkerCommand WorkerLaunch::command() const {
  executor::WorkerCommand command;
  command.argv = worker_arguments(*this);
  // Without the host's secrets: tasks run in this process and see its
  // environment, plus each task's own `env:`.
  command.env = ork::plugin::inherited_environment();
  command.kind = "python";
  command.shown = executable.string();
  command.program_shown = executable.string();
  command.install_hint = "; reinstall ork, or set ORK_PYTHON_WORKER to the ork-python-worker executable";
  command.version_field = "python";
  return command;
}

namespace {

std::vector<std::string> worker_arguments(const WorkerLaunch& launch) {
  std::vector<std::string> arguments{launch.executable.string(), "--workflow-dir", launch.workflow_dir.string()};
  for (const auto& directory : launch.site_packages) {
    arguments.push_back("--site-packages");
    arguments.push_back(directory.string());
  }
  if (!launch.python_executable.empty()) {
    arguments.push_back("--executable");
    arguments.push_back(launch.python_executable);
  }
  return arguments;
}

}  // namespace

}  // namespace ork::plugins::python
