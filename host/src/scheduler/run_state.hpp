// The private state of one RunScheduler (run_scheduler.hpp), shared by the
// files that implement it, one responsibility each:
//   run_scheduler.cpp    the scheduler threads: readiness, attempts, retries,
//                        recording each attempt's end
//   run_settle.cpp       settling an ended attempt: its task's phase, and the
//                        downstream tasks it releases or skips
//   run_task_inputs.cpp  the input object of an attempt, from bindings
//   run_slots.cpp        pools (ORK_POOLS) and max_concurrency slots
//   run_startup.cpp      before the threads start: max_active_runs, resume
//   run_conditions.cpp   `when:` conditions, and admitting the first tasks
//   run_map.cpp          `map:`: expanding a mapped task into instances,
//                        and settling it when they are done
//   run_cancel.cpp       cancellation, stopping after a store failure, the
//                        run's final status
//   cache_reuse.cpp      `cache:` — reusing and storing task outputs
// Included only by those files.
#pragma once

#include "scheduler/attempt_runner.hpp"
#include "scheduler/group_commit.hpp"
#include "scheduler/log_writer.hpp"
#include "scheduler/run_scheduler.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <queue>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace ork::host {

using Clock = std::chrono::steady_clock;

enum class Phase { waiting, ready, running, delayed, succeeded, failed, cancelled, skipped };

inline bool is_final(Phase p) {
  return p == Phase::succeeded || p == Phase::failed || p == Phase::cancelled || p == Phase::skipped;
}

inline constexpr const char* interrupted_attempt_error = "the process running this attempt died; attempt re-queued";

struct TaskRuntime {
  const CompiledTask* spec = nullptr;
  const Executor* executor = nullptr;
  std::string config_json;  // serialised once: sent with every attempt
  Phase phase = Phase::waiting;
  int attempt = 0;             // attempts started so far
  int interrupted = 0;         // attempts cut short by the death of a previous owner
  int unmet_dependencies = 0;  // upstream tasks not yet final (succeeded, failed, cancelled or skipped)
  std::vector<std::size_t> downstream;
  UpstreamOutcomes upstream;  // how the upstream tasks that are final ended (for the trigger rule)
  boost::json::value output;  // once succeeded
  std::string error;          // once failed or cancelled (an instance's, for its mapped task's error)
  std::string cache_key;      // of its latest attempt, with `cache:` (cache_reuse.cpp); "" otherwise
  bool cached = false;        // succeeded by reusing a cached output (counted as `cached`)
  Clock::time_point retry_at;

  // `map:` (run_map.cpp). An instance ("count[3]") shares its mapped task's
  // spec and executor; the mapped task itself never runs an attempt.
  std::string instance_name;                      // "" unless an instance
  std::size_t parent = 0;                         // an instance: its mapped task
  std::size_t map_index = 0;                      // an instance: its element
  std::vector<boost::json::array> mapped_lists;   // a mapped task: its lists, parallel to spec->map
  std::size_t instances_unfinished = 0;           // a mapped task: instances not final yet
  std::size_t first_instance = 0, instance_count = 0;  // a mapped task: where its instances are in `tasks`

  const std::string& name() const { return instance_name.empty() ? spec->name : instance_name; }
  bool is_instance() const { return !instance_name.empty(); }
  bool is_mapped() const { return !spec->map.empty() && instance_name.empty(); }
};

// How many instances one mapped task may run in one
// run. Each instance is a task of the run with its own row, attempts and
// logs; a list of millions of elements would fill the store and the host's
// memory instead of failing clearly, so a longer list fails the mapped task
// (run_map.cpp) with this number in its error: map over batches instead.
inline constexpr std::size_t kMaxMapInstances = 100000;

// Names an instance's attempt "count[3]" (ORK_TASK too) and gives it
// ORK_MAP_INDEX (run_map.cpp).
void name_instance(ExecutorRunRequest& request, const std::string& name, std::size_t index);

// The value at `path` inside `value` (object keys, array indexes); null
// with `missing` set to the first segment not found (run_task_inputs.cpp).
const boost::json::value* value_at_path(const boost::json::value& value, const std::vector<std::string>& path,
                                        std::string& missing);

struct Delayed {
  Clock::time_point at;
  std::size_t task;
  bool operator>(const Delayed& other) const { return at > other.at; }
};

struct RunScheduler::State {
  const CompiledWorkflow& workflow;
  Store& store;
  RunOptions options;
  RunObserver& observer;
  LogWriter logs;
  RunningAttempts running;  // by task index, for cancellation
  // Every transition of the run is recorded through it: the transitions the
  // scheduler threads record at the same moment share one transaction.
  GroupCommit commits;

  std::mutex mutex;
  std::condition_variable wake;
  std::mutex observer_mutex;
  // A deque: instances of mapped tasks are appended while other threads hold
  // references to running tasks, which a deque's push_back keeps valid.
  std::deque<TaskRuntime> tasks;
  std::unordered_map<std::string, std::size_t> index;
  std::deque<std::size_t> ready;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed;
  std::size_t unfinished = 0;
  bool cancelling = false;
  bool broken = false;  // a scheduler thread hit an error it cannot recover from
  std::string cancel_reason;  // recorded as the run's error ("" = none, as for `ork cancel`)

  State(const CompiledWorkflow& wf, const PluginRegistry& executors, Store& s, RunOptions opts, RunObserver& obs);

  // ---- the scheduler threads' loop -----------------------------------------

  // A task that will not run, and why (recorded as its error).
  struct Skip {
    std::size_t task;
    std::string reason;
  };

  // An attempt that ended but is not recorded yet: its scheduler thread
  // commits it together with the start of the next task it picks (one
  // transaction per task instead of two), or alone when there is nothing to
  // start. In a chain the next task is its own downstream: the end is then
  // settled before the commit (`settled`), and the tasks it releases wait in
  // `released`, out of every other thread's sight, until the commit is done.
  struct Ended {
    std::size_t task = 0;
    int attempt = 0;
    std::string status;  // succeeded | failed | cancelled | retrying | cached
    boost::json::value output;
    std::string error;
    std::chrono::milliseconds delay{0};  // retrying: before the next attempt
    std::chrono::milliseconds took{0};
    TaskTransition transition;
    bool settled = false;               // its task is final in `tasks` already (settle_before_commit)
    std::deque<std::size_t> released;   // settled: downstream tasks it made ready, not yet in `ready`
    std::vector<Skip> skipped;          // settled: downstream tasks it skipped, not yet recorded
  };

  void work();

  // The first ready task whose pool and max_concurrency slots are free
  // (taken here); `blocked` tells whether ready tasks wait only for slots.
  std::optional<std::size_t> take_startable(bool& blocked);

  bool take_slots(const TaskRuntime& task);

  void release_slots(const TaskRuntime& task);

  // A pool's size: ORK_POOLS ("gpu=2,db=4") overrides the workflow's `pools:`.
  int pool_size(const std::string& pool) const;

  void promote_due_retries();

  // Called with the lock held; releases it while the task runs. Records the
  // start of task `i` (with `ended`, this thread's previous attempt, in the
  // same transaction) and leaves this attempt's end in `ended`.
  void run_attempt(std::size_t i, std::unique_lock<std::mutex>& lock, std::optional<Ended>& ended);

  std::string build_input(const TaskRuntime& task, std::string& error);

  // What an attempt's end means (status, output, retry) — nothing recorded yet.
  Ended conclude_attempt(std::size_t i, int attempt, ExecutorRunResult result, std::chrono::milliseconds took);

  // Lock held, with `e` this thread's ended attempt and nothing in `ready`
  // to start: settles `e` (see Ended) and takes the first task it releases
  // whose slots are free, to start in the same transaction as `e`'s end.
  // nullopt (and `e` left as it is when it cannot be settled early: a retry,
  // an instance of a mapped task, a cancelled run) when there is none.
  std::optional<std::size_t> settle_before_commit(Ended& e);

  // Records an ended attempt (with `start`, the next task's start, in the same
  // transaction), then releases or skips the downstream tasks.
  void commit_ended(Ended& e, const std::optional<TaskTransition>& start);

  // What `e`'s end means for the run (lock held): its task's phase, a retry
  // queued, or its downstream tasks made ready (appended to `released`) or
  // skipped.
  void settle_ended(Ended& e, std::vector<TaskTransition>& mapped_ends, std::vector<Skip>& skipped,
                    std::deque<std::size_t>& released);

  // ---- `cache:` (cache_reuse.cpp) -------------------------------------------

  // For a task with `cache:` about to start an attempt with `input_json`:
  // notes its cache key and, unless --no-cache, the end of a task that reuses
  // a fresh entry's output (status `cached`, attempt 0) instead of running.
  std::optional<Ended> reuse_cached_output(std::size_t i, const std::string& input_json);

  // After a success was recorded: its output becomes the entry of the
  // attempt's cache key (tasks with `cache:` only).
  void remember_output(const Ended& e);

  // Task `i` just became final: each downstream task with no upstream left
  // to wait for (or whose trigger rule is already lost) is made ready or
  // skipped, and a skip settles its own downstream in turn (lock held).
  void settle_downstream(std::size_t i, std::vector<Skip>& skipped) { settle_downstream(i, skipped, ready); }

  // The same, with the tasks made ready appended to `released` instead of `ready`.
  void settle_downstream(std::size_t i, std::vector<Skip>& skipped, std::deque<std::size_t>& released);

  // Counts how `upstream` (just final) ended into `task`'s tally.
  static void note_upstream_outcome(TaskRuntime& task, const TaskRuntime& upstream);

  // Why a task whose upstream tasks allow it to run is skipped all the same:
  // its `when:` is false (run_conditions.cpp). nullopt: it runs.
  std::optional<std::string> condition_refusal(const TaskRuntime& task) const;

  // Tasks with no upstream at the start of a run: ready, or skipped by their
  // `when:` (lock held).
  void admit_roots(std::vector<Skip>& skipped);

  // Records and reports skips (lock not held).
  void record_skips(const std::vector<Skip>& skipped);

  bool cancel_requested();

  // The error of an attempt not started because the run is being cancelled.
  std::optional<std::string> cancelled_because();

  void record(const TaskTransition& transition) { record({&transition, 1}); }

  // Returns once `transitions` are committed (group_commit.hpp).
  void record(std::span<const TaskTransition> transitions);

  void notify_started(const std::string& task, int attempt);
  void notify_finished(const std::string& task, int attempt, const std::string& status, const std::string& error,
                       std::chrono::milliseconds took);
  void notify_skipped(const std::string& task, const std::string& reason);

  // ---- map (run_map.cpp) ---------------------------------------------------

  // Mapped task `i` was taken from `ready`: reads its lists, appends one
  // instance per element and queues them (lock held on entry and exit;
  // released while recording). An empty list or a length mismatch settles
  // it at once.
  void expand_map(std::size_t i, std::unique_lock<std::mutex>& lock, std::optional<Ended>& ended);

  // Reads the lists a mapped task is mapped over into its `mapped_lists`;
  // returns their length, or sets `error` (not a list, lengths differ).
  std::size_t read_mapped_lists(TaskRuntime& parent, std::string& error);

  // Mapped task `i`'s instances are all final: it becomes final too, its end
  // goes to `ends` and its downstream is settled (lock held).
  void settle_mapped(std::size_t i, std::vector<TaskTransition>& ends, std::vector<Skip>& skipped);

  // Instance `i` became final: when it was its mapped task's last, the mapped
  // task is settled (its end goes to `ends`, to record; lock held).
  void instance_settled(std::size_t i, std::vector<TaskTransition>& ends, std::vector<Skip>& skipped);

  // The instance's element of each mapped list, into its input.
  void add_mapped_inputs(const TaskRuntime& instance, boost::json::object& input) const;

  // The recorded state of the run being resumed, by task name (instances
  // included), with the attempts each lost to a dead owner.
  struct Recorded {
    const TaskStateRow* row = nullptr;
    int interrupted = 0;
  };
  std::unordered_map<std::string, Recorded> recorded;

  // Seeds task `i` from its recorded row when resuming (run_startup.cpp),
  // adding the transitions that closes to `transitions`; false when nothing
  // was recorded for it.
  bool restore_task(std::size_t i, std::vector<TaskTransition>& transitions);

  // ---- max_active_runs ------------------------------------------------------

  // With `max_active_runs: N`, a run starts executing only while fewer than N
  // older runs of its workflow are running (runs whose owner died and whose
  // lease expired do not count). Waiting runs re-check every 500 ms: this is
  // once per run, not per task.
  void wait_for_active_run_slot();

  // ---- resuming -------------------------------------------------------------

  // Seeds the tasks from a recorded run (before any scheduler thread starts).
  void restore(const RunDetail& recorded);

  // ---- cancellation -------------------------------------------------------

  // After an error this process cannot recover from (the store refused a
  // write): start nothing more, stop what runs, and record nothing — the
  // run stays `running` in the store, for `ork resume` once it is fixed.
  void stop_after_failure();

  // failed when a task failed; otherwise cancelled when a task was cancelled
  // (or never finished); otherwise succeeded — tasks skipped by a trigger
  // rule or a `when:` do not make a run fail.
  std::string final_status();

  // `reason` (say, the run timed out) becomes the error of the tasks that
  // never started and of the run; empty for a plain cancellation.
  void cancel(const std::string& reason = "");
};

}  // namespace ork::host
