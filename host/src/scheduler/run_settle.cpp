// Settling an ended attempt: what its end means for the run's state (its
// task's phase, the downstream tasks it releases or skips). Done before the end
// is committed when a released task can start in the same transaction (a
// chain), else after it (RunScheduler::State::commit_ended).
#include "scheduler/run_state.hpp"

namespace ork::host {

std::optional<std::size_t> RunScheduler::State::settle_before_commit(Ended& e) {
  if (e.settled || e.status == "retrying" || tasks[e.task].is_instance() || cancelling) return std::nullopt;
  std::vector<TaskTransition> no_mapped_ends;  // only instances settle a mapped task
  settle_ended(e, no_mapped_ends, e.skipped, e.released);
  e.settled = true;
  for (auto it = e.released.begin(); it != e.released.end(); ++it) {
    if (take_slots(tasks[*it])) {
      const std::size_t next = *it;
      e.released.erase(it);
      return next;
    }
  }
  return std::nullopt;
}

void RunScheduler::State::settle_ended(Ended& e, std::vector<TaskTransition>& mapped_ends, std::vector<Skip>& skipped,
                                       std::deque<std::size_t>& released) {
  TaskRuntime& task = tasks[e.task];
  if (e.status == "retrying") {
    task.phase = Phase::delayed;
    delayed.push({Clock::now() + e.delay, e.task});
    return;
  }
  if (e.status == "succeeded" || e.status == "cached") {
    task.phase = Phase::succeeded;
    task.cached = e.status == "cached";
    task.output = std::move(e.output);
  } else {
    task.phase = e.status == "cancelled" ? Phase::cancelled : Phase::failed;
    task.error = e.error;
  }
  --unfinished;
  if (task.is_instance()) {
    instance_settled(e.task, mapped_ends, skipped);
  } else {
    settle_downstream(e.task, skipped, released);
  }
}

void RunScheduler::State::settle_downstream(std::size_t i, std::vector<Skip>& skipped,
                                            std::deque<std::size_t>& released) {
  for (std::size_t d : tasks[i].downstream) {
    TaskRuntime& t = tasks[d];
    --t.unmet_dependencies;
    note_upstream_outcome(t, tasks[i]);  // counted as they end: a fan-in of N stays O(N)
    if (t.phase != Phase::waiting || cancelling) continue;
    const TriggerRule rule = t.spec->trigger_rule;
    // all_succeeded and none_failed are lost for good by one bad upstream:
    // skip at once instead of waiting for the other branches.
    const bool decided_early = rule == TriggerRule::all_succeeded || rule == TriggerRule::none_failed;
    if (t.unmet_dependencies > 0 && !decided_early) continue;
    std::optional<std::string> reason = trigger_rule_verdict(rule, t.upstream);
    if (!reason && t.unmet_dependencies > 0) continue;
    if (!reason) reason = condition_refusal(t);
    if (!reason) {
      t.phase = Phase::ready;
      released.push_back(d);
      continue;
    }
    t.phase = Phase::skipped;
    --unfinished;
    skipped.push_back({d, *reason});
    settle_downstream(d, skipped, released);
  }
}

void RunScheduler::State::note_upstream_outcome(TaskRuntime& task, const TaskRuntime& upstream) {
  UpstreamOutcomes& o = task.upstream;
  // A failed or cancelled upstream names the reason in preference to a skipped one.
  const bool replaceable = o.first_unsuccessful.empty() || o.first_unsuccessful_status == "was skipped";
  switch (upstream.phase) {
    case Phase::succeeded:
      ++o.succeeded;
      return;
    case Phase::failed:
      ++o.failed;
      if (replaceable) o.first_unsuccessful_status = "failed";
      break;
    case Phase::cancelled:
      ++o.cancelled;
      if (replaceable) o.first_unsuccessful_status = "cancelled";
      break;
    case Phase::skipped:
      ++o.skipped;
      if (!o.first_unsuccessful.empty()) return;
      o.first_unsuccessful_status = "was skipped";
      break;
    default:
      return;  // not final: never called so
  }
  if (replaceable) o.first_unsuccessful = upstream.spec->name;
}

}  // namespace ork::host
