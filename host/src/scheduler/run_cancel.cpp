#include "scheduler/run_state.hpp"

#include <iostream>

namespace ork::host {

void RunScheduler::State::stop_after_failure() {
  {
    std::lock_guard lock(mutex);
    broken = true;
    cancelling = true;
    ready.clear();
  }
  running.cancel_all();
  wake.notify_all();
}

std::string RunScheduler::State::final_status() {
  std::lock_guard lock(mutex);
  bool completed = true;
  for (const TaskRuntime& t : tasks) {
    if (t.phase == Phase::failed) return "failed";
    completed = completed && (t.phase == Phase::succeeded || t.phase == Phase::skipped);
  }
  return completed ? "succeeded" : "cancelled";
}

void RunScheduler::State::cancel(const std::string& reason) {
  std::vector<std::size_t> never_started;
  std::vector<TaskTransition> mapped_ends;
  std::vector<Skip> skipped;  // none while cancelling; instance_settled takes one
  {
    std::lock_guard lock(mutex);
    if (cancelling) return;
    cancelling = true;
    cancel_reason = reason;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      TaskRuntime& t = tasks[i];
      if (t.phase != Phase::running && !is_final(t.phase)) {
        t.phase = Phase::cancelled;
        --unfinished;
        never_started.push_back(i);
        if (t.is_instance()) instance_settled(i, mapped_ends, skipped);
      }
    }
    ready.clear();
  }
  for (std::size_t i : never_started) {
    try {
      record(TaskTransition{options.run_id, tasks[i].name(), 0, "cancelled", now_millis(), "",
                            reason.empty() ? "run cancelled" : reason, 0});
    } catch (const std::exception& e) {
      std::cerr << "ork: " << e.what() << '\n';
    }
  }
  try {
    if (!mapped_ends.empty()) record(mapped_ends);
  } catch (const std::exception& e) {
    std::cerr << "ork: " << e.what() << '\n';
  }
  running.cancel_all();
  wake.notify_all();
}

}  // namespace ork::host
