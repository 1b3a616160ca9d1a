#include "scheduler/run_state.hpp"

#include <algorithm>
#include <iostream>

namespace ork::host {

void RunScheduler::State::wait_for_active_run_slot() {
  if (workflow.max_active_runs <= 0) return;
  bool announced = false;
  while (!cancel_requested()) {
    RunRow mine = store.get_run(options.run_id).run;
    RunFilter filter;
    filter.workflow = workflow.name;
    filter.status = "running";
    filter.limit = 1000;
    std::vector<std::string> orphaned;
    if (store.supports_ownership()) {
      for (const auto& r : store.orphaned_runs(now_millis())) orphaned.push_back(r.run_id);
    }
    int older_active = 0;
    for (const auto& r : store.list_runs(filter).runs) {
      bool older = r.created_at < mine.created_at || (r.created_at == mine.created_at && r.run_id < mine.run_id);
      bool dead = std::find(orphaned.begin(), orphaned.end(), r.run_id) != orphaned.end();
      if (older && !dead) ++older_active;
    }
    if (older_active < workflow.max_active_runs) return;
    if (!announced) {
      std::cerr << "ork: run " << options.run_id << " waits: " << older_active << " older runs of " << workflow.name
                << " are active (max_active_runs " << workflow.max_active_runs << ")\n";
      announced = true;
    }
    std::unique_lock lock(mutex);
    wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return cancelling; });
  }
}

void RunScheduler::State::restore(const RunDetail& run) {
  // Indexed once: a map of 10 000 instances would make a search per task quadratic.
  for (const auto& [name, row] : run.tasks) recorded[name].row = &row;
  for (const AttemptRow& a : run.attempts) {
    if (a.error && *a.error == interrupted_attempt_error) recorded[a.task].interrupted += 1;
  }
  std::vector<TaskTransition> transitions;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (restore_task(i, transitions) && is_final(tasks[i].phase)) --unfinished;
  }
  if (!transitions.empty()) record(transitions);
  // Downstream of the recorded final tasks: released, or skipped by their
  // trigger rule when the owner died before marking them.
  std::vector<std::size_t> settled;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (is_final(tasks[i].phase)) settled.push_back(i);
  }
  std::vector<Skip> skipped;
  for (std::size_t i : settled) settle_downstream(i, skipped);
  record_skips(skipped);
}

bool RunScheduler::State::restore_task(std::size_t i, std::vector<TaskTransition>& transitions) {
  TaskRuntime& task = tasks[i];
  auto found = recorded.find(task.name());
  if (found == recorded.end() || found->second.row == nullptr) return false;
  const TaskStateRow& row = *found->second.row;
  if (row.status == "succeeded" || row.status == "cached") {
    task.attempt = row.attempts;
    task.phase = Phase::succeeded;
    task.cached = row.status == "cached";
    task.output = row.output;
  } else if (row.status == "failed" || row.status == "skipped") {
    // (A `cancelled` task of a run that is still `running` was cut short
    // by its owner's death or a store error, not by a finished
    // cancellation: it is queued again below.)
    task.attempt = row.attempts;
    task.phase = row.status == "failed" ? Phase::failed : Phase::skipped;
    task.error = row.error.value_or("");
  } else if (!task.is_mapped()) {
    // Not final: queued again. Attempts cut short by the death of an
    // owner (earlier resumes included) do not use up retries. (A mapped
    // task that was not final is expanded again; its instances keep what
    // they recorded.)
    task.attempt = row.attempts;
    task.interrupted = found->second.interrupted;
    if (row.status == "running") {
      // Its owner died mid-attempt: close that attempt (its partial logs
      // stay with it) and queue a new one.
      transitions.push_back(TaskTransition{options.run_id, task.name(), static_cast<std::uint32_t>(row.attempts),
                                           "retrying", now_millis(), "", interrupted_attempt_error, 0});
      task.interrupted += 1;
    }
  }
  return true;
}

}  // namespace ork::host
