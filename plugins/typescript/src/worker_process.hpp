// One running Node.js worker (runtime/ork_node_worker.js), seen from the
// plugin: the warm worker of executor-common (ork_executor/warm_worker.hpp,
// which the python plugin's workers are too: a child process in its own
// process group, JSON-line requests and replies on its fd 3, its fd 1/2 read
// as the current task's log lines) started as the node executor starts it.
// Used by the worker pool and the node executor.
#pragma once

#include <filesystem>
#include <string>

#include "ork_executor/warm_worker.hpp"

namespace ork::plugins::typescript {

// The names the node executor knew these by.
using executor::Clock;
using executor::LogHandler;
using executor::Reply;
using executor::WorkerDied;
using WorkerProcess = executor::WarmWorker;

// What a worker is started with; workers with equal launches are interchangeable.
struct WorkerLaunch {
  std::filesystem::path node;    // the node executable
  std::filesystem::path script;  // ork_node_worker.js
  std::filesystem::path workflow_dir;

  std::string key() const;
  // ork_node_worker.js ends each task's output with an end marker on stdout
  // and stderr, and the plugin reads up to both (the python worker wrote
  // markers too, until it dropped them for speed; the node worker's protocol
  // was not changed with it).
  executor::WorkerCommand command() const;
};

}  // namespace ork::plugins::typescript
