// The one path by which an attempt of a task is executed, whichever process
// executes it: the run scheduler of `ork run` (in-process, or through the
// store's queue with --workers-only) and an `ork worker` that claimed the
// attempt from that queue. Everything both sides must agree on lives here:
// the request an executor receives (environment, timeout, attempt token),
// the queue payload that carries that request from the scheduler to a worker
// (encoded and decoded side by side, so the two cannot drift), the log
// budget, and the table of running attempts that cancellation goes through.
// Threading, retries and recording task states stay with the callers.
#pragma once

#include "loader/registry.hpp"
#include "scheduler/log_writer.hpp"
#include "store/store.hpp"
#include "workflow/compiled.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace ork::host {

// A token no other attempt of this process has: executors cancel by token.
std::uint64_t next_attempt_token();

// The request for attempt `attempt` of `task`, with the environment every
// attempt gets (ORK_RUN_ID, ORK_TASK, ORK_ATTEMPT, then the task's `env:`).
ExecutorRunRequest attempt_request(const CompiledWorkflow& workflow, const CompiledTask& task,
                                   const std::string& config_json, const std::string& run_id, int attempt,
                                   std::string input_json);

// The queue payload of a request (--workers-only) and back. The run id, task
// and attempt travel in the queue row's own columns, not in the payload.
boost::json::object encode_queued_request(const ExecutorRunRequest& request);
// The request a worker named `worker` runs for a claimed attempt (a fresh
// token, and ORK_WORKER=<worker> added to the environment).
ExecutorRunRequest decode_queued_request(const ClaimedAttempt& claimed, const std::string& worker);

// Runs one attempt on `executor` within the log budget (attempt_policy.hpp):
// lines go to `record` until the budget is spent, then, if any were dropped,
// one ORK_LOG_SYSTEM note says how many.
ExecutorRunResult run_within_log_budget(const Executor& executor, const ExecutorRunRequest& request,
                                        const LogCallback& record);

// The same, with the lines stored through `logs` as this attempt's lines.
// `ork run` and `ork worker` both execute attempts through it, so the limit
// is the same whichever process runs the attempt.
ExecutorRunResult run_attempt(const Executor& executor, const ExecutorRunRequest& request, LogWriter& logs);

// --workers-only: puts the attempt on the store's queue for an `ork worker`
// that has `executor`, and waits for its result — woken by the store's
// notification when it has them (PostgreSQL), else reading the queue row
// every 1 ms at first and backing off to 20 ms. Once `cancel_requested`
// answers true, asks the worker (through the store) to stop the attempt.
ExecutorRunResult run_on_queue(Store& store, const std::string& executor, const ExecutorRunRequest& request,
                               const std::function<bool()>& cancel_requested);

// The attempts running in this process, by a key of the caller's (a task
// index, a queue id), so that a cancellation reaches the executor running
// each. Thread-safe.
class RunningAttempts {
 public:
  void add(std::int64_t key, const Executor& executor, std::uint64_t token);
  void remove(std::int64_t key);
  std::size_t size() const;
  // Asks the executor of attempt `key` to stop it; false if it is not running.
  bool cancel(std::int64_t key);
  // Asks every running attempt to stop (outside the lock: an executor's
  // cancel may take a moment).
  void cancel_all();

 private:
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::pair<const Executor*, std::uint64_t>> running_;
};

}  // namespace ork::host
