// Warm workers (warm_worker.hpp), shared by every task of one plugin. Workers
// are kept per launch (what they were started with: a plugin's own
// WorkerLaunch, which gives its key() and the command() that starts it),
// handed out one task at a time and returned for reuse unless the task broke
// them. The pool grows to as many workers per launch as tasks run at once —
// the host runs up to --concurrency tasks in parallel — and never starts one
// per task. Used by the python and typescript plugins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ork_executor/warm_worker.hpp"

namespace ork::plugins::executor {

class WarmWorkerPool;

// Exclusive use of one worker; returns it to the pool on destruction unless
// discarded (then the worker is killed and reaped).
class WorkerLease {
 public:
  WorkerLease(WarmWorkerPool& pool, std::string key, std::unique_ptr<WarmWorker> worker)
      : pool_(&pool), key_(std::move(key)), worker_(std::move(worker)) {}
  WorkerLease(WorkerLease&&) noexcept = default;
  WorkerLease& operator=(WorkerLease&&) = delete;
  WorkerLease(const WorkerLease&) = delete;
  WorkerLease& operator=(const WorkerLease&) = delete;
  ~WorkerLease();

  WarmWorker& worker() { return *worker_; }
  // The worker must not run another task (it died, timed out, or its logs
  // are out of step).
  void discard() { discarded_ = true; }

 private:
  WarmWorkerPool* pool_;
  std::string key_;
  std::unique_ptr<WarmWorker> worker_;
  bool discarded_ = false;
};

class WarmWorkerPool {
 public:
  // What starts a new worker of a launch; called outside the pool's lock.
  using CommandOf = std::function<WorkerCommand()>;

  // An idle worker started with `launch`, or a new one. Throws
  // std::runtime_error when a new worker cannot start.
  template <typename Launch>
  WorkerLease acquire(const Launch& launch) {
    return acquire(launch.key(), [&launch] { return launch.command(); });
  }

  // Starts one worker for `launch` in the background, unless one is idle or
  // starting already (plugin API 1.8's warm: the host is about to run a
  // task). An acquire meanwhile waits for it instead of starting another.
  template <typename Launch>
  void warm(const Launch& launch) {
    warm(launch.key(), [launch] { return launch.command(); });
  }

  WorkerLease acquire(const std::string& key, const CommandOf& command);
  void warm(const std::string& key, CommandOf command);

  // Idle workers for all launches (for tests and diagnostics).
  std::size_t idle_count();
  // Workers this pool started, warmed or not (for tests).
  std::size_t started_count();

  WarmWorkerPool() = default;
  WarmWorkerPool(const WarmWorkerPool&) = delete;
  WarmWorkerPool& operator=(const WarmWorkerPool&) = delete;
  ~WarmWorkerPool();  // waits for the workers still starting

 private:
  friend class WorkerLease;
  void give_back(const std::string& key, std::unique_ptr<WarmWorker> worker);

  std::mutex mutex_;
  std::condition_variable warmed_;
  std::map<std::string, std::vector<std::unique_ptr<WarmWorker>>> idle_;
  std::map<std::string, int> starting_;  // warm starts under way, by launch key
  std::vector<std::thread> warmers_;
  std::size_t started_ = 0;
};

}  // namespace ork::plugins::executor
