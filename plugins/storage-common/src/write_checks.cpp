#include "ork_storage/write_checks.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ork::plugins::storage {

namespace {

constexpr std::pair<std::string_view, TaskStatus> task_statuses[] = {
    {"pending", TaskStatus::pending},     {"running", TaskStatus::running},
    {"retrying", TaskStatus::retrying},   {"succeeded", TaskStatus::succeeded},
    {"failed", TaskStatus::failed},       {"cancelled", TaskStatus::cancelled},
    {"skipped", TaskStatus::skipped},     {"cached", TaskStatus::cached}};

}  // namespace

TaskStatus parse_task_status(std::string_view status) {
  for (const auto& [name, value] : task_statuses) {
    if (name == status) return value;
  }
  throw std::invalid_argument("update_task: unknown task status '" + std::string(status) +
                              "' (expected pending, running, retrying, succeeded, failed, cancelled, skipped or cached)");
}

std::vector<TaskStatus> parsed_statuses(std::span<const ork::plugin::TaskUpdate> updates) {
  std::vector<TaskStatus> statuses;
  statuses.reserve(updates.size());
  for (const ork::plugin::TaskUpdate& update : updates) statuses.push_back(parse_task_status(update.status));
  return statuses;
}

RunStatus parse_run_status(std::string_view status) {
  if (status == "running") return RunStatus::running;
  if (status == "succeeded") return RunStatus::succeeded;
  if (status == "failed") return RunStatus::failed;
  if (status == "cancelled") return RunStatus::cancelled;
  throw std::invalid_argument("update_run: unknown run status '" + std::string(status) +
                              "' (expected running, succeeded, failed or cancelled)");
}

std::string_view name_of(TaskStatus status) {
  for (const auto& [name, value] : task_statuses) {
    if (value == status) return name;
  }
  return "unknown";
}

bool is_final(TaskStatus status) {
  return status == TaskStatus::succeeded || status == TaskStatus::failed || status == TaskStatus::cancelled ||
         status == TaskStatus::skipped || status == TaskStatus::cached;
}

bool has_output(TaskStatus status) { return status == TaskStatus::succeeded || status == TaskStatus::cached; }

void check_cache_entry(const ork::plugin::TaskCache::Entry& entry) {
  if (entry.key.empty() || entry.workflow.empty() || entry.run_id.empty() || entry.task_name.empty()) {
    throw std::invalid_argument("cache_put: an entry needs a key, a workflow, a run id and a task name (got key '" +
                                std::string(entry.key) + "', task '" + std::string(entry.task_name) + "')");
  }
}

std::optional<std::string_view> unless_empty(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return text;
}

std::optional<std::int64_t> unless_zero(std::int64_t time) {
  if (time == 0) return std::nullopt;
  return time;
}

bool is_late(const TaskState& current, std::uint32_t attempt) {
  if (is_final(current.status)) return attempt <= current.attempts;
  // An attempt-less update (0) may still move a task that is not final, e.g.
  // cancel a task waiting to retry.
  return attempt > 0 && attempt < current.attempts;
}

std::optional<std::string_view> instance_parent(std::string_view task) {
  if (task.size() < 4 || task.back() != ']') return std::nullopt;
  const std::size_t open = task.rfind('[');
  if (open == std::string_view::npos || open == 0 || open + 2 > task.size() - 1) return std::nullopt;
  for (std::size_t i = open + 1; i + 1 < task.size(); ++i) {
    if (task[i] < '0' || task[i] > '9') return std::nullopt;
  }
  return task.substr(0, open);
}

void check_attempt(const ork::plugin::AttemptQueue::QueuedAttempt& attempt) {
  const std::string which = "attempt " + std::to_string(attempt.attempt) + " of task '" +
                            std::string(attempt.task_name) + "' of run '" + std::string(attempt.run_id) + "'";
  if (attempt.run_id.empty() || attempt.task_name.empty() || attempt.attempt == 0) {
    throw std::invalid_argument("enqueue_attempt: " + which + " needs a run id, a task name and an attempt >= 1");
  }
  if (attempt.executor.empty()) throw std::invalid_argument("enqueue_attempt: " + which + " names no executor");
  if (attempt.executor.find(',') != std::string_view::npos) {
    throw std::invalid_argument("enqueue_attempt: " + which + " names executor '" + std::string(attempt.executor) +
                                "'; executor names cannot contain ','");
  }
  check_json("enqueue_attempt: the payload of " + which, attempt.payload_json);
}

void check_json(std::string_view what, std::string_view document) {
  boost::json::error_code ec;
  boost::json::parse(document, ec);
  if (ec) {
    throw std::invalid_argument(std::string(what) + " is not valid JSON (" + ec.message() +
                                "): " + std::string(document.substr(0, 200)));
  }
}

void check_worker_and_lease(std::string_view call, std::string_view worker, std::int64_t lease_ms) {
  if (worker.empty()) throw std::invalid_argument(std::string(call) + ": no worker name given");
  if (lease_ms <= 0) {
    throw std::invalid_argument(std::string(call) + ": the lease of worker '" + std::string(worker) +
                                "' must be positive, got " + std::to_string(lease_ms));
  }
}

std::string_view outcome_name(ork_task_outcome outcome) {
  switch (outcome) {
    case ORK_TASK_SUCCEEDED:
      return "succeeded";
    case ORK_TASK_FAILED:
      return "failed";
    case ORK_TASK_TIMED_OUT:
      return "timed_out";
    case ORK_TASK_CANCELLED:
      return "cancelled";
  }
  throw std::invalid_argument("complete_attempt: unknown outcome " + std::to_string(static_cast<int>(outcome)) +
                              " (expected 0 to 3)");
}

void check_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json) {
  const std::string where = "setting '" + std::string(key) + "' of workflow '" + std::string(workflow) + "'";
  if (workflow.empty() || key.empty()) {
    throw std::invalid_argument("set_workflow_setting: both the workflow and the key must be given (" + where + ")");
  }
  boost::json::error_code ec;
  boost::json::parse(value_json, ec);
  if (ec) {
    throw std::invalid_argument("set_workflow_setting: the value of " + where + " is not valid JSON (" +
                                ec.message() + "): " + std::string(value_json.substr(0, 200)));
  }
}

std::vector<std::string> executor_names(std::string_view executors) {
  std::vector<std::string> names;
  while (!executors.empty()) {
    const std::size_t comma = executors.find(',');
    std::string_view name = executors.substr(0, comma);
    executors = comma == std::string_view::npos ? std::string_view() : executors.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!name.empty()) names.emplace_back(name);
  }
  if (names.empty()) {
    throw std::invalid_argument("claim_attempt: no executors given; pass the comma-separated names of the "
                                "executors this worker runs, e.g. \"process,python\"");
  }
  return names;
}

std::vector<TouchedTask> tasks_touched_by(std::span<const ork::plugin::LogLine> lines) {
  std::vector<TouchedTask> touched;
  for (const ork::plugin::LogLine& line : lines) {
    auto found = std::find_if(touched.begin(), touched.end(), [&](const TouchedTask& t) {
      return t.run_id == line.run_id && t.task == line.task_name;
    });
    if (found == touched.end()) {
      touched.push_back({line.run_id, line.task_name, line.at});
    } else {
      found->at = std::max(found->at, line.at);
    }
  }
  return touched;
}

}  // namespace ork::plugins::storage
