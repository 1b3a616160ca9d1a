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
  bool all_succeeded = true;
  for (const TaskRuntime& t : tasks) {
    if (t.phase == Phase::failed) return "failed";
    all_succeeded = all_succeeded && t.phase == Phase::succeeded;
  }
  return all_succeeded ? "succeeded" : "cancelled";
}

void RunScheduler::State::cancel() {
  std::vector<std::size_t> never_started;
  {
    std::lock_guard lock(mutex);
    if (cancelling) return;
    cancelling = true;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      TaskRuntime& t = tasks[i];
      if (t.phase != Phase::running && !is_final(t.phase)) {
        t.phase = Phase::cancelled;
        --unfinished;
        never_started.push_back(i);
      }
    }
    ready.clear();
  }
  for (std::size_t i : never_started) {
    try {
      record(TaskTransition{options.run_id, tasks[i].spec->name, 0, "cancelled", now_millis(), "", "run cancelled", 0});
    } catch (const std::exception& e) {
      std::cerr << "ork: " << e.what() << '\n';
    }
  }
  running.cancel_all();
  wake.notify_all();
}

}  // namespace ork::host
