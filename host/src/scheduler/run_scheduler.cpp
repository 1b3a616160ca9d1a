#include "scheduler/run_scheduler.hpp"

#include "core/error.hpp"
#include "core/output_depth.hpp"
#include "scheduler/attempt_policy.hpp"
#include "scheduler/attempt_runner.hpp"
#include "scheduler/lease_keeper.hpp"
#include "scheduler/log_writer.hpp"
#include "scheduler/slots.hpp"

#include <ork/limits.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <span>
#include <thread>
#include <unordered_map>

namespace ork::host {

namespace {

using Clock = std::chrono::steady_clock;

enum class Phase { waiting, ready, running, delayed, succeeded, failed, cancelled, skipped };

bool is_final(Phase p) {
  return p == Phase::succeeded || p == Phase::failed || p == Phase::cancelled || p == Phase::skipped;
}

constexpr const char* interrupted_attempt_error = "the process running this attempt died; attempt re-queued";

struct TaskRuntime {
  const CompiledTask* spec = nullptr;
  const Executor* executor = nullptr;
  std::string config_json;  // serialised once: sent with every attempt
  Phase phase = Phase::waiting;
  int attempt = 0;              // attempts started so far
  int interrupted = 0;          // attempts cut short by the death of a previous owner
  int unmet_dependencies = 0;   // upstream tasks not yet succeeded
  std::vector<std::size_t> downstream;
  boost::json::value output;    // once succeeded
  Clock::time_point retry_at;
};

struct Delayed {
  Clock::time_point at;
  std::size_t task;
  bool operator>(const Delayed& other) const { return at > other.at; }
};

std::string status_name(ork_task_outcome outcome) {
  switch (outcome) {
    case ORK_TASK_SUCCEEDED: return "succeeded";
    case ORK_TASK_CANCELLED: return "cancelled";
    case ORK_TASK_TIMED_OUT:
    case ORK_TASK_FAILED: break;
  }
  return "failed";
}

// The value at `path` inside `value` (object keys, array indexes).
const boost::json::value* value_at_path(const boost::json::value& value, const std::vector<std::string>& path,
                                        std::string& missing) {
  const boost::json::value* v = &value;
  for (const auto& segment : path) {
    if (v->is_object()) {
      v = v->as_object().if_contains(segment);
    } else if (v->is_array()) {
      char* end = nullptr;
      unsigned long index = std::strtoul(segment.c_str(), &end, 10);
      const auto& array = v->as_array();
      v = (end && *end == '\0' && !segment.empty() && index < array.size()) ? &array[index] : nullptr;
    } else {
      v = nullptr;
    }
    if (!v) {
      missing = segment;
      return nullptr;
    }
  }
  return v;
}

}  // namespace

struct RunScheduler::State {
  const CompiledWorkflow& workflow;
  Store& store;
  RunOptions options;
  RunObserver& observer;
  LogWriter logs;
  RunningAttempts running;  // by task index, for cancellation

  std::mutex mutex;
  std::condition_variable wake;
  std::mutex observer_mutex;
  std::vector<TaskRuntime> tasks;
  std::unordered_map<std::string, std::size_t> index;
  std::deque<std::size_t> ready;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed;
  std::size_t unfinished = 0;
  bool cancelling = false;
  bool broken = false;  // a worker hit an error it cannot recover from

  State(const CompiledWorkflow& wf, const PluginRegistry& executors, Store& s, RunOptions opts, RunObserver& obs)
      : workflow(wf), store(s), options(std::move(opts)), observer(obs), logs(s) {
    tasks.resize(wf.tasks.size());
    for (std::size_t i = 0; i < wf.tasks.size(); ++i) {
      tasks[i].spec = &wf.tasks[i];
      tasks[i].executor = executors.executor(wf.tasks[i].executor);
      tasks[i].config_json = boost::json::serialize(wf.tasks[i].config);
      if (!tasks[i].executor) {
        throw Error(ErrorKind::plugin, "executor '" + wf.tasks[i].executor + "' of task '" + wf.tasks[i].name +
                                           "' is not loaded");
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

  // ---- the worker loop ----------------------------------------------------

  // An attempt that ended but is not recorded yet: its worker commits it
  // together with the start of the next task it picks (one transaction per
  // task instead of two), or alone when there is nothing to start.
  struct Ended {
    std::size_t task = 0;
    int attempt = 0;
    std::string status;  // succeeded | failed | cancelled | retrying
    boost::json::value output;
    std::string error;
    std::chrono::milliseconds delay{0};  // retrying: before the next attempt
    std::chrono::milliseconds took{0};
    TaskTransition transition;
  };

  void work() {
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

  // The first ready task whose pool and max_concurrency slots are free
  // (taken here); `blocked` tells whether ready tasks wait only for slots.
  std::optional<std::size_t> take_startable(bool& blocked) {
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

  bool take_slots(const TaskRuntime& task) {
    const CompiledTask& spec = *task.spec;
    SlotRegistry& slots = SlotRegistry::instance();
    if (!spec.pool.empty() && !slots.try_acquire("pool:" + spec.pool, pool_size(spec.pool))) return false;
    if (spec.max_concurrency > 0 &&
        !slots.try_acquire("task:" + workflow.name + "/" + spec.name, spec.max_concurrency)) {
      if (!spec.pool.empty()) slots.release("pool:" + spec.pool);
      return false;
    }
    return true;
  }

  void release_slots(const TaskRuntime& task) {
    const CompiledTask& spec = *task.spec;
    SlotRegistry& slots = SlotRegistry::instance();
    if (!spec.pool.empty()) slots.release("pool:" + spec.pool);
    if (spec.max_concurrency > 0) slots.release("task:" + workflow.name + "/" + spec.name);
  }

  // A pool's size: ORK_POOLS ("gpu=2,db=4") overrides the workflow's `pools:`.
  int pool_size(const std::string& pool) const {
    if (const char* env = std::getenv("ORK_POOLS"); env && *env) {
      std::string list = env;
      std::size_t start = 0;
      while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        std::string item = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (auto eq = item.find('='); eq != std::string::npos && item.substr(0, eq) == pool) {
          return std::max(1, std::atoi(item.c_str() + eq + 1));
        }
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
    for (const auto& [name, size] : workflow.pools) {
      if (name == pool) return size;
    }
    return 1;
  }

  void promote_due_retries() {
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

  // Called with the lock held; releases it while the task runs. Records the
  // start of task `i` (with `ended`, this worker's previous attempt, in the
  // same transaction) and leaves this attempt's end in `ended`.
  void run_attempt(std::size_t i, std::unique_lock<std::mutex>& lock, std::optional<Ended>& ended) {
    TaskRuntime& task = tasks[i];
    if (cancelling) {  // cancel() already marked it
      release_slots(task);
      return;
    }
    task.phase = Phase::running;
    task.attempt += 1;
    const int attempt = task.attempt;
    std::string input_error;
    std::string input_json = build_input(task, input_error);
    ExecutorRunRequest request =
        attempt_request(workflow, *task.spec, task.config_json, options.run_id, attempt, std::move(input_json));
    running.add(static_cast<std::int64_t>(i), *task.executor, request.attempt_token);
    lock.unlock();

    auto started = Clock::now();
    TaskTransition start{options.run_id, task.spec->name, static_cast<std::uint32_t>(attempt), "running",
                         now_millis(), "", "", 0};
    if (ended) {
      commit_ended(*ended, start);
      ended.reset();
    } else {
      record({&start, 1});
    }
    notify_started(task.spec->name, attempt);
    ExecutorRunResult result;
    if (!input_error.empty()) {
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

  std::string build_input(const TaskRuntime& task, std::string& error) {
    boost::json::object input;
    for (const auto& binding : task.spec->inputs) {
      switch (binding.kind) {
        case InputBinding::Kind::constant:
          input[binding.name] = binding.constant;
          break;
        case InputBinding::Kind::workflow_input:
          if (auto* v = options.workflow_inputs.if_contains(binding.workflow_input)) {
            input[binding.name] = *v;
          } else {
            input[binding.name] = nullptr;
          }
          break;
        case InputBinding::Kind::task_output: {
          const boost::json::value& upstream_output = tasks[index.at(binding.task)].output;
          std::string missing;
          const boost::json::value* v = value_at_path(upstream_output, binding.path, missing);
          if (!v) {
            error = "input '" + binding.name + "': the output of task '" + binding.task + "' has no '" + missing +
                    "' (reference " + binding.task;
            for (const auto& p : binding.path) error += "." + p;
            error += ")";
            return {};
          }
          input[binding.name] = *v;
          break;
        }
      }
    }
    boost::json::object upstream;
    for (const auto& dep : task.spec->depends_on) upstream[dep] = tasks[index.at(dep)].output;
    input["upstream"] = std::move(upstream);
    return boost::json::serialize(input);
  }

  // What an attempt's end means (status, output, retry) — nothing recorded yet.
  Ended conclude_attempt(std::size_t i, int attempt, ExecutorRunResult result, std::chrono::milliseconds took) {
    TaskRuntime& task = tasks[i];
    logs.flush();  // a finished attempt never misses log lines (throws if they could not be stored)
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
      e.transition = TaskTransition{options.run_id, task.spec->name, static_cast<std::uint32_t>(attempt),
                                    "retrying", now, "", e.error, now + e.delay.count()};
    } else {
      const bool succeeded = e.status == "succeeded";
      e.transition = TaskTransition{options.run_id,
                                    task.spec->name,
                                    static_cast<std::uint32_t>(attempt),
                                    e.status,
                                    now,
                                    succeeded ? (result.output_json.empty() ? "null" : result.output_json) : "",
                                    succeeded ? "" : e.error,
                                    0};
    }
    return e;
  }

  // Records an ended attempt (with `start`, the next task's start, in the same
  // transaction), then releases or skips the downstream tasks.
  void commit_ended(Ended& e, const std::optional<TaskTransition>& start) {
    if (start) {
      const TaskTransition both[] = {e.transition, *start};
      record(both);
    } else {
      record({&e.transition, 1});
    }
    TaskRuntime& task = tasks[e.task];
    notify_finished(task.spec->name, e.attempt, e.status, e.error, e.took);

    std::vector<std::size_t> skipped;
    {
      std::lock_guard lock(mutex);
      if (e.status == "retrying") {
        task.phase = Phase::delayed;
        delayed.push({Clock::now() + e.delay, e.task});
      } else if (e.status == "succeeded") {
        task.phase = Phase::succeeded;
        task.output = std::move(e.output);
        --unfinished;
        for (std::size_t d : task.downstream) {
          if (--tasks[d].unmet_dependencies == 0 && tasks[d].phase == Phase::waiting && !cancelling) {
            tasks[d].phase = Phase::ready;
            ready.push_back(d);
          }
        }
      } else {
        task.phase = e.status == "cancelled" ? Phase::cancelled : Phase::failed;
        --unfinished;
        collect_downstream(e.task, skipped);
        for (std::size_t d : skipped) {
          tasks[d].phase = Phase::skipped;
          --unfinished;
        }
      }
    }
    if (!skipped.empty()) {
      std::string reason = "upstream task '" + task.spec->name + "' " + e.status;
      std::vector<TaskTransition> skips;
      for (std::size_t d : skipped) {
        skips.push_back(TaskTransition{options.run_id, tasks[d].spec->name, 0, "skipped", now_millis(), "", reason, 0});
      }
      record(skips);
      for (std::size_t d : skipped) notify_skipped(tasks[d].spec->name, reason);
    }
    wake.notify_all();
  }

  // Every not-yet-final task reachable downstream of `i` (lock held).
  void collect_downstream(std::size_t i, std::vector<std::size_t>& out) {
    for (std::size_t d : tasks[i].downstream) {
      if (tasks[d].phase != Phase::waiting) continue;
      if (std::find(out.begin(), out.end(), d) != out.end()) continue;
      out.push_back(d);
      collect_downstream(d, out);
    }
  }

  bool cancel_requested() {
    std::lock_guard lock(mutex);
    return cancelling;
  }

  void record(const TaskTransition& transition) { record({&transition, 1}); }

  void record(std::span<const TaskTransition> transitions) {
    try {
      store.update_tasks(transitions);
    } catch (const std::exception& e) {
      const TaskTransition& t = transitions.front();
      throw Error(ErrorKind::storage, "could not record task '" + t.task + "' as " + t.status +
                                          (transitions.size() > 1 ? " (with " + std::to_string(transitions.size() - 1) +
                                                                        " more transitions)"
                                                                  : std::string()) +
                                          ": " + e.what());
    }
  }

  void notify_started(const std::string& task, int attempt) {
    std::lock_guard lock(observer_mutex);
    observer.task_started(task, attempt);
  }
  void notify_finished(const std::string& task, int attempt, const std::string& status, const std::string& error,
                       std::chrono::milliseconds took) {
    std::lock_guard lock(observer_mutex);
    observer.task_finished(task, attempt, status, error, took);
  }
  void notify_skipped(const std::string& task, const std::string& reason) {
    std::lock_guard lock(observer_mutex);
    observer.task_skipped(task, reason);
  }

  // ---- max_active_runs ------------------------------------------------------

  // With `max_active_runs: N`, a run starts executing only while fewer than N
  // older runs of its workflow are running (runs whose owner died and whose
  // lease expired do not count). Waiting runs re-check every 500 ms: this is
  // once per run, not per task.
  void wait_for_active_run_slot() {
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
        std::cerr << "ork: run " << options.run_id << " waits: " << older_active << " older runs of "
                  << workflow.name << " are active (max_active_runs " << workflow.max_active_runs << ")\n";
        announced = true;
      }
      std::unique_lock lock(mutex);
      wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return cancelling; });
    }
  }

  // ---- resuming -------------------------------------------------------------

  // Seeds the tasks from a recorded run (before any worker starts).
  void restore(const RunDetail& recorded) {
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      TaskRuntime& task = tasks[i];
      const TaskStateRow* recorded_task = recorded.find_task(task.spec->name);
      if (!recorded_task) continue;
      const TaskStateRow& row = *recorded_task;
      task.attempt = row.attempts;
      if (row.status == "succeeded") {
        task.phase = Phase::succeeded;
        task.output = row.output;
        --unfinished;
      } else if (row.status == "failed" || row.status == "skipped") {
        // (A `cancelled` task of a run that is still `running` was cut short
        // by its owner's death or a store error, not by a finished
        // cancellation: it is queued again below.)
        task.phase = row.status == "failed" ? Phase::failed : Phase::skipped;
        --unfinished;
      } else {
        // Not final: queued again. Attempts cut short by the death of an
        // owner (earlier resumes included) do not use up retries.
        for (const AttemptRow& a : recorded.attempts) {
          if (a.task == task.spec->name && a.error && *a.error == interrupted_attempt_error) task.interrupted += 1;
        }
        if (row.status == "running") {
          // Its owner died mid-attempt: close that attempt (its partial logs
          // stay with it) and queue a new one.
          record(TaskTransition{options.run_id, task.spec->name, static_cast<std::uint32_t>(row.attempts), "retrying",
                                now_millis(), "", interrupted_attempt_error, 0});
          task.interrupted += 1;
        }
      }
    }
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].phase != Phase::succeeded) continue;
      for (std::size_t d : tasks[i].downstream) --tasks[d].unmet_dependencies;
    }
    // Downstream of a recorded failure that were never marked (the owner died first).
    std::vector<std::size_t> skipped;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].phase == Phase::failed || tasks[i].phase == Phase::cancelled) collect_downstream(i, skipped);
    }
    for (std::size_t d : skipped) {
      tasks[d].phase = Phase::skipped;
      --unfinished;
      record(TaskTransition{options.run_id, tasks[d].spec->name, 0, "skipped", now_millis(), "",
                            "an upstream task did not succeed", 0});
    }
  }

  // ---- cancellation -------------------------------------------------------

  // After an error this process cannot recover from (the store refused a
  // write): start nothing more, stop what runs, and record nothing — the
  // run stays `running` in the store, for `ork resume` once it is fixed.
  void stop_after_failure() {
    {
      std::lock_guard lock(mutex);
      broken = true;
      cancelling = true;
      ready.clear();
    }
    running.cancel_all();
    wake.notify_all();
  }

  // succeeded only when every task did; failed when one failed; otherwise
  // (cancelled, or skipped because of a cancellation) cancelled.
  std::string final_status() {
    std::lock_guard lock(mutex);
    bool all_succeeded = true;
    for (const TaskRuntime& t : tasks) {
      if (t.phase == Phase::failed) return "failed";
      all_succeeded = all_succeeded && t.phase == Phase::succeeded;
    }
    return all_succeeded ? "succeeded" : "cancelled";
  }

  void cancel() {
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
        record(TaskTransition{options.run_id, tasks[i].spec->name, 0, "cancelled", now_millis(), "", "run cancelled",
                              0});
      } catch (const std::exception& e) {
        std::cerr << "ork: " << e.what() << '\n';
      }
    }
    running.cancel_all();
    wake.notify_all();
  }
};


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
    std::lock_guard lock(s.mutex);
    for (std::size_t i = 0; i < s.tasks.size(); ++i) {
      if (s.tasks[i].phase == Phase::waiting && s.tasks[i].unmet_dependencies == 0) {
        s.tasks[i].phase = Phase::ready;
        s.ready.push_back(i);
      }
    }
  }
  int concurrency = applied_concurrency(s.options.concurrency, s.workflow);
  int workers = std::max(1, std::min<int>(concurrency, static_cast<int>(s.tasks.size())));
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (int w = 0; w < workers; ++w) {
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
  s.store.update_run(s.options.run_id, status, now_millis(), "");
  return status;
}

void RunScheduler::cancel() { state_->cancel(); }

std::map<std::string, int> RunScheduler::task_counts() const {
  std::lock_guard lock(state_->mutex);
  std::map<std::string, int> counts;
  for (const TaskRuntime& t : state_->tasks) {
    switch (t.phase) {
      case Phase::succeeded: counts["succeeded"]++; break;
      case Phase::failed: counts["failed"]++; break;
      case Phase::cancelled: counts["cancelled"]++; break;
      case Phase::skipped: counts["skipped"]++; break;
      case Phase::delayed: counts["retrying"]++; break;
      case Phase::running: counts["running"]++; break;
      case Phase::waiting:
      case Phase::ready: counts["pending"]++; break;
    }
  }
  return counts;
}


}  // namespace ork::host
