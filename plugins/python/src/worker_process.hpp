// One running ork-python-worker, seen from the plugin: the warm worker of
// executor-common (ork_executor/warm_worker.hpp: a child process in its own
// process group, JSON-line requests and replies on its fd 3, its fd 1/2 read
// as the current task's log lines) started as the python executor starts it.
// Used by the worker pool and the python executor.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ork_executor/unique_fd.hpp"
#include "ork_executor/warm_worker.hpp"

namespace ork::plugins::python {

// The names the python executor knew these by (UniqueFd for python_environment.cpp).
using executor::Clock;
using executor::LogHandler;
using executor::Reply;
using executor::UniqueFd;
using executor::WorkerDied;
using WorkerProcess = executor::WarmWorker;

// What a worker is started with; workers with equal launches are interchangeable.
struct WorkerLaunch {
  std::filesystem::path executable;  // ork-python-worker
  std::filesystem::path workflow_dir;
  std::vector<std::filesystem::path> site_packages;  // a venv's, prepended to sys.path
  std::string python_executable;                    // sys.executable for tasks; empty = the embedded one

  std::string key() const;
  // The worker flushes sys.stdout/stderr and C stdio before it replies: no
  // end markers.
  executor::WorkerCommand command() const;
};

}  // namespace ork::plugins::python
