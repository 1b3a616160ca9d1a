// Executes one run of a compiled workflow: starts every task whose upstream
// tasks succeeded, up to `concurrency` at once, on a fixed set of scheduler
// threads woken by a condition variable (no polling); records every state
// change in the store before the next step depends on it; retries with
// exponential backoff; skips the downstream tasks of a failed task while
// independent branches keep running. Used by `ork run`, `ork resume` and
// `ork serve`; the implementation is split by responsibility (run_state.hpp).
#pragma once

#include "loader/registry.hpp"
#include "scheduler/log_writer.hpp"
#include "store/store.hpp"
#include "workflow/compiled.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ork::host {

// How many tasks of one run may run at once: the requested number (`--concurrency`,
// default the number of cores), capped by the workflow's `concurrency:`.
int applied_concurrency(int requested, const CompiledWorkflow& workflow);

struct RunOptions {
  std::string run_id;
  int concurrency = 1;
  boost::json::object workflow_inputs;  // resolved values of the workflow's `inputs:`
  // Who executes the run ("host:pid"); with a store that supports ownership
  // the scheduler renews this owner's lease every lease/3 while it runs and
  // acts on cancellation requests from other processes.
  std::string owner;
  std::chrono::milliseconds lease{15000};
  // Resuming a run whose owner died: the recorded state to continue from.
  // Succeeded tasks keep their outputs and never run again; failed, skipped
  // and cancelled tasks stay as they are; everything else is queued again as
  // a new attempt (an attempt cut short by its owner's death does not count
  // against `retries`).
  std::optional<RunDetail> resume;
  // `--workers-only`: attempts go on the store's queue and `ork worker`
  // processes run them (plugin API 1.3); this process only schedules.
  bool remote = false;
  // `ork run --timeout`: the run's time limit, in place of the workflow's
  // `timeout:`. When it expires the run is cancelled, with the reason
  // recorded as the run's error.
  std::optional<std::chrono::milliseconds> timeout;
  // `--no-cache`: run every task with `cache:` instead of reusing an earlier
  // output; its new output is still stored, so the next run reuses that.
  bool no_cache = false;
  // How task log lines are batched into the store (docs/reliability.md: the
  // window is what a SIGKILL of ork may lose).
  LogBatching log_batching;
};

// What the CLI shows while a run progresses. Called from scheduler threads,
// one call at a time (the scheduler serialises them).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void task_started(const std::string& task, int attempt) = 0;
  virtual void task_finished(const std::string& task, int attempt, const std::string& status,
                             const std::string& error, std::chrono::milliseconds took) = 0;
  virtual void task_skipped(const std::string& task, const std::string& reason) = 0;
};

class NullObserver final : public RunObserver {
 public:
  void task_started(const std::string&, int) override {}
  void task_finished(const std::string&, int, const std::string&, const std::string&,
                     std::chrono::milliseconds) override {}
  void task_skipped(const std::string&, const std::string&) override {}
};

class RunScheduler {
 public:
  RunScheduler(const CompiledWorkflow& workflow, const PluginRegistry& executors, Store& store, RunOptions options,
               RunObserver& observer);
  ~RunScheduler();
  RunScheduler(const RunScheduler&) = delete;
  RunScheduler& operator=(const RunScheduler&) = delete;

  // Runs to completion and returns the run's final status:
  // "succeeded", "failed" or "cancelled".
  std::string execute();

  // Thread-safe, idempotent: stop starting tasks, ask running ones to stop.
  void cancel();

  // After execute(): how many tasks ended in each state (as recorded).
  std::map<std::string, int> task_counts() const;

  // How many transactions recorded the tasks' states so far (a chain of N
  // tasks takes about N: each end shares one with the next start).
  std::uint64_t state_transactions() const;
  // How many transactions stored log lines alone so far: the lines queued
  // when a state transaction is written go with it, so only a task that is
  // still running after the batching window pays these.
  std::uint64_t log_transactions() const;

  struct State;  // defined in run_scheduler.cpp

 private:
  std::unique_ptr<State> state_;
};

}  // namespace ork::host
