#include "worker_pool.hpp"

#include <utility>

namespace ork::plugins::python {

WorkerLease WorkerPool::acquire(const WorkerLaunch& launch) {
  std::string key = launch.key();
  {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[key];
    while (!idle.empty()) {
      std::unique_ptr<WorkerProcess> worker = std::move(idle.back());
      idle.pop_back();
      // An idle worker may have been killed meanwhile (e.g. by the OOM killer).
      if (worker->alive()) return WorkerLease(*this, key, std::move(worker));
    }
  }
  // Started outside the lock: a start takes tens of milliseconds.
  return WorkerLease(*this, key, WorkerProcess::start(launch));
}

std::size_t WorkerPool::idle_count() {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [key, workers] : idle_) count += workers.size();
  return count;
}

void WorkerPool::give_back(const std::string& key, std::unique_ptr<WorkerProcess> worker) {
  std::lock_guard lock(mutex_);
  idle_[key].push_back(std::move(worker));
}

// No liveness check here: the worker has just answered, and acquire() checks
// every idle worker before handing it out (one waitpid per task, not two).
WorkerLease::~WorkerLease() {
  if (worker_ && !discarded_) pool_->give_back(key_, std::move(worker_));
}

}  // namespace ork::plugins::python
