// What both stores check and decide the same way before they write: the
// status names of tasks and runs, whether a transition arrives late, and the
// argument checks of the queue calls, with the same messages in sqlite and
// postgres. Shared by their *_store.cpp and attempt_queue code.
#pragma once

#include <ork/plugin.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugins::storage {

enum class TaskStatus { pending, running, retrying, succeeded, failed, cancelled, skipped, cached };
enum class RunStatus { running, succeeded, failed, cancelled };

// A task row's status and how many attempts it has had.
struct TaskState {
  TaskStatus status;
  std::uint32_t attempts;
};

// Throws std::invalid_argument naming the accepted statuses.
TaskStatus parse_task_status(std::string_view status);
// The status of each update, in order, parsed before a transaction starts
// (so an unknown one refuses the whole batch without writing any of it).
std::vector<TaskStatus> parsed_statuses(std::span<const ork::plugin::TaskUpdate> updates);
RunStatus parse_run_status(std::string_view status);
std::string_view name_of(TaskStatus status);
bool is_final(TaskStatus status);

// The host passes "" for "no error" and 0 for "no time"; the schemas say NULL.
std::optional<std::string_view> unless_empty(std::string_view text);
std::optional<std::int64_t> unless_zero(std::int64_t time);

// An update for an attempt older than the task's state (a late result after
// a retry or a cancel) must not move the task back.
bool is_late(const TaskState& current, std::uint32_t attempt);

// The task an instance of a mapped task belongs to: "count[3]" -> "count";
// nullopt for any other name. Instance rows are not listed when a run is
// created (their number is known only once the list is); the stores add
// one on its first transition, when its parent task is a task of the run.
std::optional<std::string_view> instance_parent(std::string_view task);

// The checks of enqueue_attempt, and of the calls a worker makes.
void check_attempt(const ork::plugin::AttemptQueue::QueuedAttempt& attempt);
void check_json(std::string_view what, std::string_view document);

// A task whose state carries an output: succeeded, or cached (API 1.7).
bool has_output(TaskStatus status);

// cache_put's arguments: a key, a workflow, a run and a task (the output is
// stored as given, as update_task stores a succeeded task's).
void check_cache_entry(const ork::plugin::TaskCache::Entry& entry);
void check_worker_and_lease(std::string_view call, std::string_view worker, std::int64_t lease_ms);

// set_workflow_setting's arguments: a workflow, a key and a JSON value.
void check_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json);

// "process, python" -> {"process", "python"}: the executors a claiming worker
// runs; throws when there are none.
std::vector<std::string> executor_names(std::string_view executors);

// The (run, task) pairs a batch of log lines writes to, each with its last
// line's time, in first-seen order: append_logs writes one "log" event each.
struct TouchedTask {
  std::string_view run_id, task;
  std::int64_t at;
};
std::vector<TouchedTask> tasks_touched_by(std::span<const ork::plugin::LogLine> lines);

// The name complete_attempt stores for an outcome; throws for an unknown one.
std::string_view outcome_name(ork_task_outcome outcome);

}  // namespace ork::plugins::storage
