#include "serve/run_launcher.hpp"

#include "scheduler/run_setup.hpp"
#include "core/error.hpp"

#include <iostream>

namespace ork::host {

RunLauncher::RunLauncher(const PluginRegistry& executors, Store& store, int concurrency, bool workers_only)
    : executors_(executors), store_(store), concurrency_(concurrency), workers_only_(workers_only),
      owner_(owner_name()) {}

RunLauncher::~RunLauncher() {
  std::map<std::string, std::unique_ptr<ActiveRun>> runs;
  {
    std::lock_guard lock(mutex_);
    runs.swap(active_);
  }
  for (auto& [id, run] : runs) run->scheduler->cancel();
  for (auto& [id, run] : runs) {
    if (run->thread.joinable()) run->thread.join();
  }
}

CreatedRunId RunLauncher::start(std::shared_ptr<const CompiledWorkflow> workflow, RunRequest request) {
  request.owner = owner_;
  CreatedRunId created = record_run(store_, *workflow, request);
  if (created.existing) return created;
  RunOptions options;
  options.run_id = created.run_id;
  options.concurrency = concurrency_;
  options.remote = workers_only_;
  options.workflow_inputs = request.inputs;
  options.owner = owner_;  // the scheduler renews the lease and honours cancel requests from other processes
  claim_new_run(store_, created.run_id, owner_);
  launch(std::move(workflow), std::move(options));
  return created;
}

CreatedRunId RunLauncher::rerun(std::string_view source_run, bool from_failure) {
  PreparedRerun prepared = prepare_rerun(store_, executors_, source_run, from_failure, owner_);
  RunOptions options;
  options.run_id = prepared.run_id;
  options.concurrency = concurrency_;
  options.remote = workers_only_;
  options.workflow_inputs = prepared.inputs;
  options.owner = owner_;
  options.resume = std::move(prepared.resume);
  launch(std::move(prepared.workflow), std::move(options));
  return CreatedRunId{prepared.run_id, false};
}

void RunLauncher::resume(std::shared_ptr<const CompiledWorkflow> workflow, RunDetail recorded) {
  RunOptions options;
  options.run_id = recorded.run.run_id;
  options.concurrency = concurrency_;
  options.remote = workers_only_;
  if (recorded.run.inputs.is_object()) options.workflow_inputs = recorded.run.inputs.as_object();
  options.owner = owner_;
  options.resume = std::move(recorded);
  launch(std::move(workflow), std::move(options));
}

void RunLauncher::launch(std::shared_ptr<const CompiledWorkflow> workflow, RunOptions options) {
  const std::string run_id = options.run_id;
  auto run = std::make_unique<ActiveRun>();
  run->workflow = std::move(workflow);
  static NullObserver quiet;  // progress reaches clients through the store's events
  run->scheduler = std::make_unique<RunScheduler>(*run->workflow, executors_, store_, std::move(options), quiet);
  // The thread starts under the lock so that reap_finished() never sees a
  // half-assigned std::thread.
  std::lock_guard lock(mutex_);
  reap_finished();
  ActiveRun* raw = run.get();
  active_[run_id] = std::move(run);
  raw->thread = std::thread([raw, id = run_id] {
    try {
      raw->scheduler->execute();
    } catch (const std::exception& e) {
      std::cerr << "ork serve: run " << id << " stopped: " << e.what() << '\n';
    }
    raw->done = true;
  });
}

CancelOutcome RunLauncher::cancel(std::string_view run_id) {
  // The store decides whether the run is over: its thread records the final
  // status a moment before it marks itself done, and a second cancel in that
  // moment must hear "finished", not "cancelling".
  RunDetail detail = store_.get_run(run_id);  // throws not_found
  if (detail.run.status != "running" && detail.run.status != "pending") return CancelOutcome::finished;
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(std::string(run_id));
    if (it != active_.end() && !it->second->done) {
      it->second->scheduler->cancel();
      return CancelOutcome::cancelling;
    }
  }
  store_.request_cancel(run_id, now_millis());
  return CancelOutcome::requested;
}

void RunLauncher::maintain() {
  std::lock_guard lock(mutex_);
  reap_finished();
}

std::vector<std::string> RunLauncher::active_runs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, run] : active_) {
    if (!run->done) ids.push_back(id);
  }
  return ids;
}

void RunLauncher::wait_idle() {
  for (;;) {
    std::unique_ptr<ActiveRun> run;
    {
      std::lock_guard lock(mutex_);
      if (active_.empty()) return;
      run = std::move(active_.begin()->second);
      active_.erase(active_.begin());
    }
    if (run->thread.joinable()) run->thread.join();
  }
}

// Called with mutex_ held. A finished thread has nothing left to do, so the
// join is immediate.
void RunLauncher::reap_finished() {
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->second->done) {
      if (it->second->thread.joinable()) it->second->thread.join();
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace ork::host
