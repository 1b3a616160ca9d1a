#include "worker_process.hpp"

#include <ork/task_environment.hpp>

#include <string_view>
#include <vector>

namespace ork::plugins::typescript {

namespace {

// What ork_node_worker.js writes after each task's output (END_OF_TASK_MARKER).
constexpr std::string_view kEndMarker = std::string_view("\0ork-task-end\0", 14);

std::vector<std::string> worker_environment(const WorkerLaunch& launch);

}  // namespace

std::string WorkerLaunch::key() const {
  return node.string() + '\n' + script.string() + '\n' + workflow_dir.string();
}

executor::WorkerCommand WorkerLaunch::command() const {
  executor::WorkerCommand command;
  // Source maps: a task's stack trace names its .ts lines, not the emitted .js.
  command.argv = {node.string(), "--enable-source-maps", script.string()};
  command.env = worker_environment(*this);
  command.workdir = workflow_dir.string();
  command.kind = "node";
  command.shown = script.string();
  command.program_shown = node.string();
  command.install_hint = "; install Node.js (Debian package nodejs), or set ORK_NODE to the node executable";
  command.version_field = "node";
  command.end_marker = std::string(kEndMarker);
  return command;
}

namespace {

// Without the host's secrets (tasks run in the worker and see its
// environment, plus each task's own `env:`), and with the workflow's own
// node_modules, for packages a task imports: the emitted .js lives in the
// build directory, whose parents hold none.
std::vector<std::string> worker_environment(const WorkerLaunch& launch) {
  std::vector<std::string> env = ork::plugin::inherited_environment();
  std::string node_path = "NODE_PATH=" + (launch.workflow_dir / "node_modules").string();
  for (auto& entry : env) {
    if (entry.starts_with("NODE_PATH=")) {
      node_path += ":" + entry.substr(10);
      entry = node_path;
      return env;
    }
  }
  env.push_back(node_path);
  return env;
}

}  // namespace

}  // namespace ork::plugins::typescript
