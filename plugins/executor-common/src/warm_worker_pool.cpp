#include "ork_executor/warm_worker_pool.hpp"

#include <utility>

namespace ork::plugins::executor {

WorkerLease WarmWorkerPool::acquire(const std::string& key, const CommandOf& command) {
  {
    std::unique_lock lock(mutex_);
    auto& idle = idle_[key];
    for (;;) {
      while (!idle.empty()) {
        std::unique_ptr<WarmWorker> worker = std::move(idle.back());
        idle.pop_back();
        // An idle worker may have been killed meanwhile (e.g. by the OOM killer).
        if (worker->alive()) return WorkerLease(*this, key, std::move(worker));
      }
      // A warm start under way gives its worker to the first task, sooner
      // than a start of its own would.
      if (starting_[key] == 0) break;
      warmed_.wait(lock);
    }
    ++started_;
  }
  // Started outside the lock: a start takes tens of milliseconds.
  return WorkerLease(*this, key, WarmWorker::start(command()));
}

void WarmWorkerPool::warm(const std::string& key, CommandOf command) {
  std::lock_guard lock(mutex_);
  if (!idle_[key].empty() || starting_[key] > 0) return;
  ++starting_[key];
  ++started_;
  warmers_.emplace_back([this, command = std::move(command), key] {
    std::unique_ptr<WarmWorker> worker;
    try {
      worker = WarmWorker::start(command());
    } catch (const std::exception&) {
      // Only a hint: the task's own acquire starts a worker and reports why it cannot.
    }
    std::lock_guard done(mutex_);
    if (worker) idle_[key].push_back(std::move(worker));
    --starting_[key];
    warmed_.notify_all();
  });
}

WarmWorkerPool::~WarmWorkerPool() {
  for (std::thread& warmer : warmers_) warmer.join();
}

std::size_t WarmWorkerPool::idle_count() {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [key, workers] : idle_) count += workers.size();
  return count;
}

std::size_t WarmWorkerPool::started_count() {
  std::lock_guard lock(mutex_);
  return started_;
}

void WarmWorkerPool::give_back(const std::string& key, std::unique_ptr<WarmWorker> worker) {
  std::lock_guard lock(mutex_);
  idle_[key].push_back(std::move(worker));
}

// No liveness check here: the worker has just answered, and acquire() checks
// every idle worker before handing it out (one waitpid per task, not two).
WorkerLease::~WorkerLease() {
  if (worker_ && !discarded_) pool_->give_back(key_, std::move(worker_));
}

}  // namespace ork::plugins::executor
