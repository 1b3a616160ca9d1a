// The Store adapter's side of the attempt queue (plugin API 1.3) used by
// `ork run --workers-only` and `ork worker`; the rest of Store is store.cpp.
#include "store/store.hpp"

#include "core/error.hpp"
#include "core/output_depth.hpp"
#include "store/store_answers.hpp"

#include <chrono>
#include <thread>

namespace ork::host {

using namespace store_answers;

std::int64_t Store::enqueue_attempt(std::string_view run_id, std::string_view task, std::uint32_t attempt,
                                    std::string_view executor, const boost::json::object& payload, Millis at) {
  require_queue();
  std::string payload_json = boost::json::serialize(payload);
  ork_queued_attempt record{
      ORK_STRUCT_SIZE(ork_queued_attempt), str(run_id), str(task), attempt, str(executor), str(payload_json), at};
  std::int64_t id = 0;
  ork_error err;
  check(plugin_->storage->enqueue_attempt(handle_, &record, &id, &err), err, "queueing a task attempt");
  return id;
}

std::optional<ClaimedAttempt> Store::claim_attempt(std::string_view worker, std::string_view executors, Millis now,
                                                   std::int64_t lease_ms) {
  require_queue();
  std::string answer;
  ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &write_string};
  ork_error err;
  check(plugin_->storage->claim_attempt(handle_, str(worker), str(executors), now, lease_ms, &sink, &err), err,
        "claiming a task attempt");
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = answer_max_depth;
  boost::json::value v = boost::json::parse(answer, ec, {}, options);
  if (ec || !v.is_object()) throw Error(ErrorKind::store, "storage plugin answered invalid JSON to claim_attempt");
  const auto& o = v.as_object();
  if (o.empty()) return std::nullopt;
  ClaimedAttempt claimed;
  claimed.id = int_or_zero(o, "id");
  claimed.run_id = string_or_empty(o, "run_id");
  claimed.task = string_or_empty(o, "task");
  claimed.attempt = static_cast<std::uint32_t>(int_or_zero(o, "attempt"));
  claimed.executor = string_or_empty(o, "executor");
  if (auto* p = o.if_contains("payload"); p && p->is_object()) claimed.payload = p->as_object();
  return claimed;
}

void Store::complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                             std::string_view output_json, std::string_view error, Millis at) {
  require_queue();
  // A worker's output enters here; past the depth limit the store would keep
  // it as a string, so the attempt fails as it would have in `ork run`.
  std::string too_deep;
  if (outcome == ORK_TASK_SUCCEEDED && output_too_deep(output_json)) {
    outcome = ORK_TASK_FAILED;
    output_json = {};
    too_deep = output_too_deep_error();
    error = too_deep;
  }
  ork_error err;
  check(plugin_->storage->complete_attempt(handle_, id, str(worker), outcome, str(output_json), str(error), at, &err),
        err, "recording a worker's result");
}

std::vector<std::int64_t> Store::worker_heartbeat(std::string_view worker, const boost::json::object& info, Millis now,
                                                  std::int64_t lease_ms) {
  require_queue();
  std::string info_json = boost::json::serialize(info);
  std::string answer;
  ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &write_string};
  ork_error err;
  check(plugin_->storage->worker_heartbeat(handle_, str(worker), str(info_json), now, lease_ms, &sink, &err), err,
        "recording a worker heartbeat");
  std::vector<std::int64_t> cancel;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(answer, ec);
  if (!ec && v.is_object()) {
    if (auto* ids = v.as_object().if_contains("cancel"); ids && ids->is_array()) {
      for (const auto& id : ids->as_array()) {
        if (id.is_int64()) cancel.push_back(id.as_int64());
      }
    }
  }
  return cancel;
}

void Store::cancel_attempt(std::int64_t id, Millis at) {
  require_queue();
  ork_error err;
  check(plugin_->storage->cancel_attempt(handle_, id, at, &err), err, "cancelling a queued attempt");
}

void Store::wait_for_queue(std::chrono::milliseconds timeout) {
  const ork_storage_vtable* t = plugin_->storage;
  if (!t->wait_for_queue) {
    std::this_thread::sleep_for(timeout);
    return;
  }
  ork_error err;
  check(t->wait_for_queue(handle_, timeout.count(), &err), err, "waiting for the queue");
}

QueuedAttemptState Store::queued_attempt(std::int64_t id) {
  boost::json::value v = query(ORK_QUERY_QUEUED_ATTEMPT, {{"id", id}});
  const auto& o = v.as_object();
  QueuedAttemptState state;
  state.status = string_or_empty(o, "status");
  state.worker = opt_string(o, "worker");
  state.outcome = opt_string(o, "outcome");
  state.output = value_or_null(o, "output");
  state.error = opt_string(o, "error");
  return state;
}

std::vector<WorkerRow> Store::workers(Millis now) {
  boost::json::value v = query(ORK_QUERY_WORKERS, {{"now", now}});
  std::vector<WorkerRow> rows;
  for (const auto& w : v.as_object().at("workers").as_array()) {
    const auto& o = w.as_object();
    WorkerRow row;
    row.name = string_or_empty(o, "name");
    row.info = value_or_null(o, "info");
    row.last_heartbeat = int_or_zero(o, "last_heartbeat");
    if (auto* a = o.if_contains("alive"); a && a->is_bool()) row.alive = a->as_bool();
    row.claimed = static_cast<int>(int_or_zero(o, "claimed"));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ork::host
