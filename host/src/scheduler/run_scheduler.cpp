#include "scheduler/run_state.hpp"

#include "core/error.hpp"
#include "core/output_depth.hpp"
#include "scheduler/attempt_policy.hpp"
#include "scheduler/lease_keeper.hpp"
#include "scheduler/run_deadline.hpp"
#include "workflow/duration.hpp"

#include <ork/limits.h>

#include <algorithm>
#include <iostream>
#include <thread>

namespace ork::host {

namespace {

std::string status_name(ork_task_outcome outcome) {
  switch (outcome) {
    case ORK_TASK_SUCCEEDED:
      return "succeeded";
    case ORK_TASK_CANCELLED:
      return "cancelled";
    case ORK_TASK_TIMED_OUT:
    case ORK_TASK_FAILED:
      break;
  }
  return "failed";
}

}  // namespace

RunScheduler::State::State(const CompiledWorkflow& wf, const PluginRegistry& executors, Store& s, RunOptions opts,
                           RunObserver& obs)
    : workflow(wf),
      store(s),
      options(std::move(opts)),
      observer(obs),
      logs(s, options.log_batching),
      commits([&s](std::span<const NewLogLine> lines,
                   std::span<const TaskTransition> transitions) { s.append_logs_and_update_tasks(lines, transitions); },
              logs) {
  tasks.resize(wf.tasks.size());
  for (std::size_t i = 0; i < wf.tasks.size(); ++i) {
    tasks[i].spec = &wf.tasks[i];
    tasks[i].executor = executors.executor(wf.tasks[i].executor);
    tasks[i].config_json = boost::json::serialize(wf.tasks[i].config);
    if (!tasks[i].executor) {
      throw Error(ErrorKind::plugin,
                  "executor '" + wf.tasks[i].executor + "' of task '" + wf.tasks[i].name + "' is not loaded");
    }
    index.emplace(wf.tasks[i].name, i);
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    for (const auto& dep : tasks[i].spec->depends_on) {
      std::size_t d = index.at(dep);
      tasks[d].downstream.push_back(i);
      ++tasks[i].unmet_dependencies;
    }
  }
  unfinished = tasks.size();
}

void RunScheduler::State::work() {
  std::unique_lock lock(mutex);
  std::optional<Ended> ended;
  while (unfinished > 0 && !broken) {
    promote_due_retries();
    bool waiting_for_slots = false;
    if (auto next = take_startable(waiting_for_slots)) {
      run_attempt(*next, lock, ended);
      continue;
    }
    if (ended) {
      if (auto downstream = settle_before_commit(*ended)) {  // a chain: its end and the next start in one transaction
        run_attempt(*downstream, lock, ended);
        continue;
      }
      lock.unlock();
      commit_ended(*ended, std::nullopt);
      ended.reset();
      lock.lock();
      continue;
    }
    auto until = Clock::time_point::max();
    if (!delayed.empty()) until = delayed.top().at;
    if (waiting_for_slots) until = std::min(until, Clock::now() + std::chrono::milliseconds(50));
    if (until == Clock::time_point::max()) {
      wake.wait(lock);
    } else {
      wake.wait_until(lock, until);
    }
  }
}

std::optional<std::size_t> RunScheduler::State::take_startable(bool& blocked) {
  for (auto it = ready.begin(); it != ready.end(); ++it) {
    if (take_slots(tasks[*it])) {
      std::size_t i = *it;
      ready.erase(it);
      return i;
    }
    blocked = true;
  }
  return std::nullopt;
}

void RunScheduler::State::promote_due_retries() {
  auto now = Clock::now();
  while (!delayed.empty() && delayed.top().at <= now) {
    std::size_t i = delayed.top().task;
    delayed.pop();
    if (tasks[i].phase == Phase::delayed) {
      tasks[i].phase = Phase::ready;
      ready.push_back(i);
    }
  }
}

void RunScheduler::State::run_attempt(std::size_t i, std::unique_lock<std::mutex>& lock, std::optional<Ended>& ended) {
  TaskRuntime& task = tasks[i];
  if (cancelling) {  // cancel() already marked it
    release_slots(task);
    return;
  }
  if (task.is_mapped()) {  // runs no attempt itself: its instances do, each through here
    expand_map(i, lock, ended);
    return;
  }
  task.phase = Phase::running;
  task.attempt += 1;
  const int attempt = task.attempt;
  std::string input_error;
  std::string input_json = build_input(task, input_error);
  ExecutorRunRequest request =
      attempt_request(workflow, *task.spec, task.config_json, options.run_id, attempt, std::move(input_json));
  if (task.is_instance()) name_instance(request, task.name(), task.map_index);
  running.add(static_cast<std::int64_t>(i), *task.executor, request.attempt_token);
  lock.unlock();
  if (std::optional<Ended> reused = input_error.empty() ? reuse_cached_output(i, request.input_json) : std::nullopt) {
    running.remove(static_cast<std::int64_t>(i));
    release_slots(task);
    if (ended) commit_ended(*ended, std::nullopt);
    ended = std::move(reused);
    lock.lock();
    return;
  }

  auto started = Clock::now();
  TaskTransition start{
      options.run_id, task.name(), static_cast<std::uint32_t>(attempt), "running", now_millis(), "", "", 0};
  if (ended) {
    commit_ended(*ended, start);
    ended.reset();
  } else {
    record({&start, 1});
  }
  notify_started(task.name(), attempt);
  ExecutorRunResult result;
  if (std::optional<std::string> why = cancelled_because()) {
    // Cancelled (a run timeout, Ctrl-C) while this attempt was being
    // recorded: an executor may not know the attempt yet, so its cancel
    // would be lost; do not start it.
    result = {ORK_TASK_CANCELLED, "", *why};
  } else if (!input_error.empty()) {
    result = {ORK_TASK_FAILED, "", input_error};
  } else if (options.remote) {
    result = run_on_queue(store, task.spec->executor, request, [this] { return cancel_requested(); });
  } else {
    result = host::run_attempt(*task.executor, request, logs);
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  running.remove(static_cast<std::int64_t>(i));
  release_slots(task);
  ended = conclude_attempt(i, attempt, std::move(result), took);
  lock.lock();
}

RunScheduler::State::Ended RunScheduler::State::conclude_attempt(std::size_t i, int attempt, ExecutorRunResult result,
                                                                 std::chrono::milliseconds took) {
  TaskRuntime& task = tasks[i];
  // Every line the attempt printed is queued by now: the transaction that
  // records its end stores them too (GroupCommit), so no flush here.
  Ended e;
  e.task = i;
  e.attempt = attempt;
  e.took = took;
  e.status = status_name(result.outcome);
  if (result.outcome == ORK_TASK_SUCCEEDED && !result.output_json.empty()) {
    boost::system::error_code ec;
    boost::json::parse_options opts;
    opts.max_depth = ORK_MAX_JSON_DEPTH;  // whatever the executor, so the store keeps it as it is
    e.output = boost::json::parse(result.output_json, ec, {}, opts);
    if (ec == boost::json::error::too_deep) {
      e.status = "failed";
      result.error = output_too_deep_error();
      e.output = nullptr;
    } else if (ec) {
      e.status = "failed";
      result.error = "executor returned output that is not valid JSON: " + ec.message();
      e.output = nullptr;
    }
  }
  e.error = result.error;
  Millis now = now_millis();
  if (e.status == "failed" && attempt - task.interrupted <= task.spec->retries && !cancel_requested()) {
    e.status = "retrying";
    e.delay = retry_backoff(*task.spec, attempt - task.interrupted);
    e.transition =
        TaskTransition{options.run_id, task.name(),          static_cast<std::uint32_t>(attempt), "retrying", now, "",
                       e.error,        now + e.delay.count()};
  } else {
    const bool succeeded = e.status == "succeeded";
    e.transition = TaskTransition{options.run_id,
                                  task.name(),
                                  static_cast<std::uint32_t>(attempt),
                                  e.status,
                                  now,
                                  succeeded ? (result.output_json.empty() ? "null" : result.output_json) : "",
                                  succeeded ? "" : e.error,
                                  0};
  }
  return e;
}

void RunScheduler::State::commit_ended(Ended& e, const std::optional<TaskTransition>& start) {
  if (start) {
    const TaskTransition both[] = {e.transition, *start};
    record(both);
  } else {
    record({&e.transition, 1});
  }
  remember_output(e);
  notify_finished(tasks[e.task].name(), e.attempt, e.status, e.error, e.took);

  std::vector<Skip> skipped;
  std::vector<TaskTransition> mapped_ends;
  {
    std::lock_guard lock(mutex);
    if (e.settled) {
      // Its end is durable now: what it released may start on any thread
      // (unless a cancellation marked them meanwhile).
      for (std::size_t d : e.released) {
        if (tasks[d].phase == Phase::ready && !cancelling) ready.push_back(d);
      }
      e.released.clear();
      skipped = std::move(e.skipped);
    } else {
      settle_ended(e, mapped_ends, skipped, ready);
    }
  }
  if (!mapped_ends.empty()) record(mapped_ends);
  record_skips(skipped);
  wake.notify_all();
}

void RunScheduler::State::record_skips(const std::vector<Skip>& skipped) {
  if (skipped.empty()) return;
  std::vector<TaskTransition> skips;
  for (const Skip& skip : skipped) {
    skips.push_back(
        TaskTransition{options.run_id, tasks[skip.task].name(), 0, "skipped", now_millis(), "", skip.reason, 0});
  }
  record(skips);
  for (const Skip& skip : skipped) notify_skipped(tasks[skip.task].name(), skip.reason);
}

std::optional<std::string> RunScheduler::State::cancelled_because() {
  std::lock_guard lock(mutex);
  if (!cancelling) return std::nullopt;
  return cancel_reason.empty() ? std::string("run cancelled") : cancel_reason;
}

bool RunScheduler::State::cancel_requested() {
  std::lock_guard lock(mutex);
  return cancelling;
}

void RunScheduler::State::record(std::span<const TaskTransition> transitions) {
  try {
    commits.record(transitions);
  } catch (const std::exception& e) {
    const TaskTransition& t = transitions.front();
    throw Error(ErrorKind::store,
                "could not record task '" + t.task + "' as " + t.status +
                    (transitions.size() > 1 ? " (with " + std::to_string(transitions.size() - 1) + " more transitions)"
                                            : std::string()) +
                    ": " + e.what());
  }
}

void RunScheduler::State::notify_started(const std::string& task, int attempt) {
  std::lock_guard lock(observer_mutex);
  observer.task_started(task, attempt);
}

void RunScheduler::State::notify_finished(const std::string& task, int attempt, const std::string& status,
                                          const std::string& error, std::chrono::milliseconds took) {
  std::lock_guard lock(observer_mutex);
  observer.task_finished(task, attempt, status, error, took);
}

void RunScheduler::State::notify_skipped(const std::string& task, const std::string& reason) {
  std::lock_guard lock(observer_mutex);
  observer.task_skipped(task, reason);
}

namespace {

// When a run with time limit `limit` must end: counted from the start the
// store recorded, so a resumed run does not get its whole limit again.
std::chrono::system_clock::time_point run_deadline(const RunScheduler::State& s, std::chrono::milliseconds limit) {
  if (limit.count() <= 0) return std::chrono::system_clock::time_point::max();
  Millis started = s.options.resume && s.options.resume->run.started_at > 0 ? s.options.resume->run.started_at
                                                                           : now_millis();
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(started)) + limit;
}

}  // namespace

int applied_concurrency(int requested, const CompiledWorkflow& workflow) {
  return workflow.concurrency > 0 ? std::min(requested, workflow.concurrency) : requested;
}

RunScheduler::RunScheduler(const CompiledWorkflow& workflow, const PluginRegistry& executors, Store& store,
                           RunOptions options, RunObserver& observer)
    : state_(std::make_unique<State>(workflow, executors, store, std::move(options), observer)) {}

RunScheduler::~RunScheduler() = default;

std::string RunScheduler::execute() {
  State& s = *state_;
  LeaseKeeper lease(s.store, s.options.owner, s.options.run_id, s.options.lease, [&s] { s.cancel(); });
  s.wait_for_active_run_slot();
  if (s.options.resume) s.restore(*s.options.resume);
  {
    std::vector<State::Skip> skipped;
    {
      std::lock_guard lock(s.mutex);
      s.admit_roots(skipped);
    }
    s.record_skips(skipped);
  }
  // Armed only now: a cancellation must not race the restoring of a resumed
  // run's recorded states (a resumed run past its deadline is cancelled at once).
  const std::chrono::milliseconds limit = s.options.timeout.value_or(s.workflow.timeout);
  RunDeadline deadline(run_deadline(s, limit), [&s, limit] {
    std::cerr << "ork: run " << s.options.run_id << " timed out after " << format_duration(limit) << "; cancelling it\n";
    s.cancel("run timed out: it ran longer than its timeout of " + format_duration(limit) + " and was cancelled");
  });
  int concurrency = applied_concurrency(s.options.concurrency, s.workflow);
  // A mapped task's instances are only known later: its run gets every thread.
  const bool mapped = std::any_of(s.workflow.tasks.begin(), s.workflow.tasks.end(),
                                  [](const CompiledTask& t) { return !t.map.empty(); });
  int thread_count = std::max(1, mapped ? concurrency : std::min<int>(concurrency, static_cast<int>(s.tasks.size())));
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&] {
      try {
        s.work();
      } catch (...) {
        {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
        s.stop_after_failure();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);

  std::string status = s.final_status();
  s.logs.flush();
  std::string reason;
  {
    std::lock_guard lock(s.mutex);
    reason = s.cancel_reason;
  }
  s.store.update_run(s.options.run_id, status, now_millis(), reason);
  return status;
}

void RunScheduler::cancel() {
  state_->cancel();
}

std::uint64_t RunScheduler::state_transactions() const {
  return state_->commits.transactions();
}

std::uint64_t RunScheduler::log_transactions() const {
  return state_->logs.transactions();
}

std::map<std::string, int> RunScheduler::task_counts() const {
  std::lock_guard lock(state_->mutex);
  std::map<std::string, int> counts;
  for (const TaskRuntime& t : state_->tasks) {
    switch (t.phase) {
      case Phase::succeeded:
        counts[t.cached ? "cached" : "succeeded"]++;
        break;
      case Phase::failed:
        counts["failed"]++;
        break;
      case Phase::cancelled:
        counts["cancelled"]++;
        break;
      case Phase::skipped:
        counts["skipped"]++;
        break;
      case Phase::delayed:
        counts["retrying"]++;
        break;
      case Phase::running:
        counts["running"]++;
        break;
      case Phase::waiting:
      case Phase::ready:
        counts["pending"]++;
        break;
    }
  }
  return counts;
}

}  // namespace ork::host
