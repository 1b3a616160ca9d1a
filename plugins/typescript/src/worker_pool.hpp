// Warm node workers, shared by every task of the plugin. Workers are kept
// per launch (node executable + workflow directory), handed out one
// task at a time and returned for reuse unless the task broke them. The pool
// grows to as many workers per launch as tasks run at once — the host runs up
// to --concurrency tasks in parallel — and never starts one per task.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "worker_process.hpp"

namespace ork::plugins::typescript {

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

  // Idle workers for all launches (for tests and diagnostics).
  std::size_t idle_count();

 private:
  friend class WorkerLease;
  void give_back(const std::string& key, std::unique_ptr<WorkerProcess> worker);

  std::mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<WorkerProcess>>> idle_;
};

}  // namespace ork::plugins::typescript
