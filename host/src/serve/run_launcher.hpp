// Starts and cancels the runs `ork serve` executes itself: each run is
// recorded in the store by the caller's thread (so the caller gets its id at
// once) and then executed by a RunScheduler on a thread of its own, which
// keeps the compiled workflow alive until the run ends. Runs of other
// processes sharing the store are cancelled through the store
// (`request_cancel`); their owner notices when it renews its leases. Used by
// the HTTP API handlers and the schedule loop; every call is thread-safe.
#pragma once

#include "scheduler/run_setup.hpp"
#include "scheduler/rerun.hpp"
#include "loader/registry.hpp"
#include "scheduler/run_scheduler.hpp"
#include "store/store.hpp"
#include "workflow/compiled.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ork::host {

enum class CancelOutcome {
  cancelling,  // a run of this server: its scheduler is stopping it
  requested,   // another process's run: asked through the store
  finished,    // it had already ended; nothing to do
};

class RunLauncher {
 public:
  // `workers_only`: runs are scheduled here and executed by `ork worker`s.
  RunLauncher(const PluginRegistry& executors, Store& store, int concurrency, bool workers_only = false);
  ~RunLauncher();  // cancels what still runs and waits for it
  RunLauncher(const RunLauncher&) = delete;
  RunLauncher& operator=(const RunLauncher&) = delete;

  // Records the run and starts it; with an idempotency key that already has a
  // run, returns that run (existing = true) and starts nothing.
  CreatedRunId start(std::shared_ptr<const CompiledWorkflow> workflow, RunRequest request);

  // Records and starts a re-run of a finished run (scheduler/rerun.hpp).
  CreatedRunId rerun(std::string_view source_run, bool from_failure);

  // Continues a run whose owner died (see `ork resume`): `recorded` is its
  // state as of the claim this server already holds.
  void resume(std::shared_ptr<const CompiledWorkflow> workflow, RunDetail recorded);

  // Throws Error(not_found) for an unknown run.
  CancelOutcome cancel(std::string_view run_id);

  // Joins the threads of finished runs. (Each run's scheduler renews its
  // lease and honours cancellations other processes request through the store.)
  void maintain();

  std::vector<std::string> active_runs() const;
  const std::string& owner() const { return owner_; }
  // Blocks until no run of this server is active (tests, shutdown).
  void wait_idle();

 private:
  struct ActiveRun {
    std::shared_ptr<const CompiledWorkflow> workflow;
    std::unique_ptr<RunScheduler> scheduler;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void reap_finished();
  void launch(std::shared_ptr<const CompiledWorkflow> workflow, RunOptions options);

  const PluginRegistry& executors_;
  Store& store_;
  int concurrency_;
  bool workers_only_;
  std::string owner_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ActiveRun>> active_;
};

}  // namespace ork::host
