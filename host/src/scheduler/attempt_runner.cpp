#include "scheduler/attempt_runner.hpp"

#include "scheduler/attempt_policy.hpp"

#include <algorithm>
#include <atomic>
#include <vector>

namespace ork::host {

std::uint64_t next_attempt_token() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}

ExecutorRunRequest attempt_request(const CompiledWorkflow& workflow, const CompiledTask& task,
                                   const std::string& config_json, const std::string& run_id, int attempt,
                                   std::string input_json) {
  ExecutorRunRequest r;
  r.attempt_token = next_attempt_token();
  r.workflow_name = workflow.name;
  r.workflow_file = workflow.file.string();
  r.workflow_dir = workflow.dir.string();
  r.task_name = task.name;
  r.config_json = config_json;
  r.run_id = run_id;
  r.attempt = static_cast<std::uint32_t>(attempt);
  r.input_json = std::move(input_json);
  r.workdir = task.workdir.string();
  r.env.reserve(task.env.size() + 3);
  r.env.push_back("ORK_RUN_ID=" + run_id);
  r.env.push_back("ORK_TASK=" + task.name);
  r.env.push_back("ORK_ATTEMPT=" + std::to_string(attempt));
  for (const auto& [key, value] : task.env) r.env.push_back(key + "=" + value);
  r.timeout = task.timeout;
  if (!task.language.empty()) {
    r.language = task.language;
    r.source_json = boost::json::serialize(task.source);
  }
  return r;
}

boost::json::object encode_queued_request(const ExecutorRunRequest& r) {
  boost::json::array env;
  for (const auto& e : r.env) env.emplace_back(e);
  boost::json::object payload{{"workflow_name", r.workflow_name},
                              {"workflow_file", r.workflow_file},
                              {"workflow_dir", r.workflow_dir},
                              {"config_json", r.config_json},
                              {"input_json", r.input_json},
                              {"workdir", r.workdir},
                              {"env", std::move(env)},
                              {"timeout_ms", r.timeout.count()}};
  if (!r.language.empty()) {  // a worker prepares the task again from these (language_on_worker.cpp)
    payload["language"] = r.language;
    payload["source_json"] = r.source_json;
  }
  return payload;
}

ExecutorRunRequest decode_queued_request(const ClaimedAttempt& claimed, const std::string& worker) {
  const boost::json::object& p = claimed.payload;
  auto text = [&](const char* key) {
    auto* v = p.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  ExecutorRunRequest r;
  r.attempt_token = next_attempt_token();
  r.workflow_name = text("workflow_name");
  r.workflow_file = text("workflow_file");
  r.workflow_dir = text("workflow_dir");
  r.task_name = claimed.task;
  r.config_json = text("config_json");
  r.run_id = claimed.run_id;
  r.attempt = claimed.attempt;
  r.input_json = text("input_json");
  r.workdir = text("workdir");
  if (auto* env = p.if_contains("env"); env && env->is_array()) {
    for (const auto& e : env->as_array()) {
      if (e.is_string()) r.env.emplace_back(e.as_string());
    }
  }
  r.env.push_back("ORK_WORKER=" + worker);
  r.language = text("language");
  r.source_json = text("source_json");
  if (auto* t = p.if_contains("timeout_ms"); t && t->is_int64()) r.timeout = std::chrono::milliseconds(t->as_int64());
  return r;
}

ExecutorRunResult run_within_log_budget(const Executor& executor, const ExecutorRunRequest& request,
                                        const LogCallback& record) {
  LogBudget budget;
  ExecutorRunResult result = executor.run(request, [&](ork_log_stream stream, std::string_view line) {
    if (budget.take(line.size())) record(stream, line);
  });
  if (budget.dropped_lines > 0) record(ORK_LOG_SYSTEM, budget.note());
  return result;
}

ExecutorRunResult run_attempt(const Executor& executor, const ExecutorRunRequest& request, LogWriter& logs) {
  return run_within_log_budget(executor, request, [&](ork_log_stream stream, std::string_view line) {
    logs.add(NewLogLine{request.run_id, request.task_name, request.attempt, stream, now_millis(), std::string(line)});
  });
}

ExecutorRunResult run_on_queue(Store& store, const std::string& executor, const ExecutorRunRequest& r,
                               const std::function<bool()>& cancel_requested) {
  const std::int64_t id =
      store.enqueue_attempt(r.run_id, r.task_name, r.attempt, executor, encode_queued_request(r), now_millis());
  auto pause = std::chrono::milliseconds(1);
  bool cancel_sent = false;
  while (true) {
    QueuedAttemptState state = store.queued_attempt(id);
    if (state.status == "done") {
      ork_task_outcome outcome = state.outcome == "succeeded"   ? ORK_TASK_SUCCEEDED
                                 : state.outcome == "timed_out" ? ORK_TASK_TIMED_OUT
                                 : state.outcome == "cancelled" ? ORK_TASK_CANCELLED
                                                                : ORK_TASK_FAILED;
      std::string output = outcome == ORK_TASK_SUCCEEDED && !state.output.is_null()
                               ? boost::json::serialize(state.output)
                               : std::string();
      return {outcome, std::move(output), state.error.value_or("")};
    }
    if (!cancel_sent && cancel_requested()) {
      store.cancel_attempt(id, now_millis());
      cancel_sent = true;
    }
    store.wait_for_queue(pause);  // PostgreSQL wakes us when a worker completes
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

void RunningAttempts::add(std::int64_t key, const Executor& executor, std::uint64_t token) {
  std::lock_guard lock(mutex_);
  running_[key] = {&executor, token};
}

void RunningAttempts::remove(std::int64_t key) {
  std::lock_guard lock(mutex_);
  running_.erase(key);
}

std::size_t RunningAttempts::size() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

bool RunningAttempts::cancel(std::int64_t key) {
  std::pair<const Executor*, std::uint64_t> attempt;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(key);
    if (it == running_.end()) return false;
    attempt = it->second;
  }
  attempt.first->cancel(attempt.second);
  return true;
}

void RunningAttempts::cancel_all() {
  std::vector<std::pair<const Executor*, std::uint64_t>> attempts;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, attempt] : running_) attempts.push_back(attempt);
  }
  for (auto [executor, token] : attempts) executor->cancel(token);
}

}  // namespace ork::host
