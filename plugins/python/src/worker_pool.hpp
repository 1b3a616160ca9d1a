// Warm python workers, shared by every task of the plugin. Workers are kept
// per launch (workflow directory + interpreter environment), handed out one
// task at a time and returned for reuse unless the task broke them. The pool
// grows to as many workers per launch as tasks run at once — the host runs up
// to --concurrency tasks in parallel — and never starts one per task.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "worker_process.hpp"

namespace ork::plugins::python {

class WorkerPool;

// Exclusive use of one worker; returns it to the pool on destruction unless
// discarded (then the worker is killed and reaped).
class WorkerLease {
 public:
  WorkerLease(WorkerPool& pool, std::string key, std::unique_ptr<WorkerProcess> worker)
      : pool_(&pool), key_(std::move(key)), worker_(std::move(worker)) {}
  WorkerLease(WorkerLease&&) noexcept = default;
  WorkerLease& operator=(WorkerLease&&) = delete;
  WorkerLease(const WorkerLease&) = delete;
  WorkerLease& operator=(const WorkerLease&) = delete;
  ~WorkerLease();

  WorkerProcess& worker() { return *worker_; }
  // The worker must not run another task (it died, timed out, or its logs
  // are out of step).
  void discard() { discarded_ = true; }

 private:
  WorkerPool* pool_;
  std::string key_;
  std::unique_ptr<WorkerProcess> worker_;
  bool discarded_ = false;
};

class WorkerPool {
 public:
  // An idle worker started with `launch`, or a new one. Throws
  // std::runtime_error when a new worker cannot start.
  WorkerLease acquire(const WorkerLaunch& launch);

  // Starts one worker for `launch` in the background, unless one is idle or
  // starting already (plugin API 1.8's warm: the host is about to run a
  // task). An acquire meanwhile waits for it instead of starting another.
  void warm(const WorkerLaunch& launch);

  // Idle workers for all launches (for tests and diagnostics).
  std::size_t idle_count();
  // Workers this pool started, warmed or not (for tests).
  std::size_t started_count();

  WorkerPool() = default;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();  // waits for the workers still starting

 private:
  friend class WorkerLease;
  void give_back(const std::string& key, std::unique_ptr<WorkerProcess> worker);

  std::mutex mutex_;
  std::condition_variable warmed_;
  std::map<std::string, std::vector<std::unique_ptr<WorkerProcess>>> idle_;
  std::map<std::string, int> starting_;  // warm starts under way, by launch key
  std::vector<std::thread> warmers_;
  std::size_t started_ = 0;
};

}  // namespace ork::plugins::python
