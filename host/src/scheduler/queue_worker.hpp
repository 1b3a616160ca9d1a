// The loop of `ork worker`: claims task attempts from the store's queue
// (plugin API 1.3) and executes them with this machine's executor plugins
// through the shared attempt path (attempt_runner.hpp), `slots` at a time,
// while a heartbeat renews the leases of its claims and stops the attempts
// whose cancellation the scheduling process asked for. Runs are queued by
// `ork run --workers-only`, whose process schedules while workers execute.
// The CLI (cli/worker_command.cpp) reads the options and waits for the stop
// signal; this class owns everything else.
#pragma once

#include "loader/registry.hpp"
#include "scheduler/attempt_runner.hpp"
#include "scheduler/log_writer.hpp"
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ork::host {

struct QueueWorkerSettings {
  std::string name;                    // as shown by `ork workers`
  std::vector<std::string> executors;  // the executors whose attempts it claims
  int slots = 1;                       // attempts at once
  std::chrono::milliseconds lease{10000};
};

class QueueWorker {
 public:
  QueueWorker(const PluginRegistry& registry, Store& store, QueueWorkerSettings settings);
  QueueWorker(const QueueWorker&) = delete;
  QueueWorker& operator=(const QueueWorker&) = delete;

  // Claims and executes attempts until `wait_for_stop` returns, then finishes
  // the attempts it is running and returns.
  void run(const std::function<void()>& wait_for_stop);

 private:
  void claim_and_execute();
  void execute(const ClaimedAttempt& claimed);
  void record_result(const ClaimedAttempt& claimed, const ExecutorRunResult& result);
  void beat();

  const PluginRegistry& registry_;
  Store& store_;
  QueueWorkerSettings settings_;
  std::string executor_list_;  // "a,b": what claim_attempt matches
  LogWriter logs_;
  RunningAttempts running_;  // by queue id
  std::atomic<bool> stopping_{false};
};

}  // namespace ork::host
