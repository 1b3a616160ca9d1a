// Runs `isolate: true` tasks in a pool of warm ork-library-worker processes,
// one call at a time per worker, so a crash in user code fails only that task.
// A worker that dies, times out or is cancelled is killed and not reused; the
// next task starts a fresh one. Used by the executor.
#pragma once

#include <ork/plugin.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "ork_executor/attempt_registry.hpp"
#include "task_config.hpp"
#include "task_library.hpp"
#include "worker_process.hpp"

namespace ork::plugins::library {

class WorkerPool {
 public:
  // `max_idle`: how many idle workers are kept warm.
  explicit WorkerPool(std::size_t max_idle);

  void run(const TaskConfig& config, const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink);
  // check_task for an isolated task: the library is loaded in a worker, not in
  // the host. Throws TaskProblemError on "isolate" when no worker can start.
  TaskDescription describe(const TaskConfig& config);
  void cancel(std::uint64_t attempt_token);

 private:
  std::unique_ptr<WorkerProcess> acquire();
  void release(std::unique_ptr<WorkerProcess> worker);

  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<WorkerProcess>> idle_;
  executor::AttemptRegistry<WorkerProcess> attempts_;  // running attempts by token, for cancel
};

// Where the worker executable is: $ORK_LIBRARY_WORKER, else
// `<this plugin's directory>/../ork-library-worker`.
std::filesystem::path worker_executable();

}  // namespace ork::plugins::library
