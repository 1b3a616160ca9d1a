#include "scheduler/queue_worker.hpp"

#include "scheduler/language_on_worker.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

namespace ork::host {

QueueWorker::QueueWorker(const PluginRegistry& registry, Store& store, QueueWorkerSettings settings)
    : registry_(registry), store_(store), settings_(std::move(settings)), logs_(store) {
  for (std::size_t i = 0; i < settings_.executors.size(); ++i) {
    executor_list_ += (i ? "," : "") + settings_.executors[i];
  }
}

void QueueWorker::run(const std::function<void()>& wait_for_stop) {
  std::vector<std::thread> threads;
  for (int i = 0; i < settings_.slots; ++i) threads.emplace_back([this] { claim_and_execute(); });
  std::thread heartbeat([this] { beat(); });
  wait_for_stop();
  std::cerr << "ork worker " << settings_.name << ": stopping after the attempts it runs\n";
  stopping_ = true;
  for (auto& t : threads) t.join();
  heartbeat.join();
}

// Claims the oldest attempt this worker can run; while the queue is empty
// it waits for the store's notification (PostgreSQL), else for a growing
// pause (2 ms up to 50 ms).
void QueueWorker::claim_and_execute() {
  auto pause = std::chrono::milliseconds(2);
  while (!stopping_) {
    std::optional<ClaimedAttempt> claimed;
    try {
      claimed = store_.claim_attempt(settings_.name, executor_list_, now_millis(), settings_.lease.count());
    } catch (const std::exception& e) {
      std::cerr << "ork worker: " << e.what() << '\n';
    }
    if (!claimed) {
      try {
        store_.wait_for_queue(pause);  // PostgreSQL wakes us when an attempt is queued
      } catch (const std::exception&) {
        std::this_thread::sleep_for(pause);
      }
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
      continue;
    }
    pause = std::chrono::milliseconds(2);
    execute(*claimed);
  }
}

void QueueWorker::execute(const ClaimedAttempt& claimed) {
  const Executor* executor = registry_.executor(claimed.executor);
  ExecutorRunResult result;
  if (!executor) {
    result = {ORK_TASK_FAILED, "", "worker " + settings_.name + " has no executor '" + claimed.executor + "'"};
  } else {
    ExecutorRunRequest request = decode_queued_request(claimed, settings_.name);
    if (std::optional<std::string> problem = prepare_on_worker(registry_, request, claimed.executor)) {
      result = {ORK_TASK_FAILED, "", "worker " + settings_.name + ": " + *problem};
    } else {
      running_.add(claimed.id, *executor, request.attempt_token);
      result = run_attempt(*executor, request, logs_);
      running_.remove(claimed.id);
    }
  }
  record_result(claimed, result);
}

// Keeps trying while the store is unreachable (each try already waits for a
// reconnect): the heartbeat keeps renewing this claim's lease meanwhile, so
// giving up would leave the attempt claimed by nobody who runs it. A worker
// asked to stop gives up after one more try; then its lease expires and
// another worker runs the attempt again.
void QueueWorker::record_result(const ClaimedAttempt& claimed, const ExecutorRunResult& result) {
  auto pause = std::chrono::milliseconds(100);
  while (true) {
    try {
      logs_.flush();
      store_.complete_attempt(claimed.id, settings_.name, result.outcome, result.output_json, result.error,
                              now_millis());
      return;
    } catch (const std::exception& e) {
      std::cerr << "ork worker: could not record the result of " << claimed.run_id << "/" << claimed.task << ": "
                << e.what() << (stopping_ ? "; stopping, so another worker will run it again" : "; trying again")
                << '\n';
    }
    if (stopping_) return;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(5000));
  }
}

// Renews the leases of this worker's claims every lease/4 and stops the
// attempts whose cancellation was asked.
void QueueWorker::beat() {
  while (!stopping_) {
    try {
      boost::json::array executors;
      for (const auto& e : settings_.executors) executors.emplace_back(e);
      boost::json::object info{
          {"executors", std::move(executors)}, {"slots", settings_.slots}, {"running", running_.size()}};
      for (std::int64_t id : store_.worker_heartbeat(settings_.name, info, now_millis(), settings_.lease.count())) {
        running_.cancel(id);
      }
    } catch (const std::exception& e) {
      std::cerr << "ork worker: heartbeat failed: " << e.what() << '\n';
    }
    for (int i = 0; i < 10 && !stopping_; ++i) std::this_thread::sleep_for(settings_.lease / 40);
  }
}

}  // namespace ork::host
