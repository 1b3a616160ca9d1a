// SqliteStore's queue of task attempts for `ork worker` (plugin API 1.3):
// enqueue, claim, complete, heartbeat and cancel, each one BEGIN IMMEDIATE
// transaction. The states and their meaning are in docs/storage.md.
#include <boost/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "ork_storage/json_text.hpp"
#include "ork_storage/write_checks.hpp"
#include "sqlite_store.hpp"

namespace ork::plugins::sqlite {

// The status tables, write checks and JSON helpers both stores share.
using namespace storage;

using ork::plugin::NotFound;

namespace {

std::string executor_list(std::string_view executors);
void requeue_expired_claims(Connection& db, std::int64_t now);
std::string claim_oldest(Connection& db, std::string_view worker, const std::string& executors, std::int64_t now,
                         std::int64_t lease_ms);

}  // namespace

std::int64_t SqliteStore::enqueue_attempt(const QueuedAttempt& attempt) {
  check_attempt(attempt);
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    // An attempt already queued (a repeated enqueue) keeps its first row.
    {
      CachedStatement insert = writer_.statement(
          "INSERT INTO queue (run_id, task, attempt, executor, payload_json, status, enqueued_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6) ON CONFLICT (run_id, task, attempt) DO NOTHING");
      insert->bind_all(attempt.run_id, attempt.task_name, attempt.attempt, attempt.executor, attempt.payload_json,
                       attempt.at);
      insert->run();
    }
    CachedStatement select = writer_.statement("SELECT id FROM queue WHERE run_id = ?1 AND task = ?2 AND attempt = ?3");
    select->bind_all(attempt.run_id, attempt.task_name, attempt.attempt);
    select->step();
    return select->integer(0);
  });
}

std::string SqliteStore::claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                                       std::int64_t lease_ms) {
  check_worker_and_lease("claim_attempt", worker, lease_ms);
  const std::string executor_array = executor_list(executors);
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    requeue_expired_claims(writer_, now);
    return claim_oldest(writer_, worker, executor_array, now, lease_ms);
  });
}

void SqliteStore::complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                                   std::string_view output_json, std::string_view error, std::int64_t at) {
  const std::string_view outcome_text = outcome_name(outcome);
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    // A worker that lost its claim (lease expired, re-queued) changes nothing.
    CachedStatement complete = writer_.statement(
        "UPDATE queue SET status = 'done', outcome = ?3, output_json = ?4, error = ?5, finished_at = ?6, "
        "lease_expires_at = NULL WHERE id = ?1 AND worker = ?2 AND status = 'claimed'");
    complete->bind_all(id, worker, outcome_text,
                       outcome == ORK_TASK_SUCCEEDED ? unless_empty(output_json) : std::nullopt, unless_empty(error),
                       at);
    complete->run();
  });
}

std::string SqliteStore::worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                                          std::int64_t lease_ms) {
  check_worker_and_lease("worker_heartbeat", worker, lease_ms);
  check_json("worker_heartbeat: the info of worker '" + std::string(worker) + "'",
             info_json.empty() ? std::string_view("{}") : info_json);
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    {
      CachedStatement upsert = writer_.statement(
          "INSERT INTO workers (name, info_json, last_heartbeat, lease_expires_at) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (name) DO UPDATE SET info_json = excluded.info_json, "
          "last_heartbeat = excluded.last_heartbeat, lease_expires_at = excluded.lease_expires_at");
      upsert->bind_all(worker, info_json.empty() ? std::string_view("{}") : info_json, now, now + lease_ms);
      upsert->run();
    }
    {
      CachedStatement renew = writer_.statement(
          "UPDATE queue SET lease_expires_at = ?2 WHERE worker = ?1 AND status = 'claimed'");
      renew->bind_all(worker, now + lease_ms);
      renew->run();
    }
    CachedStatement cancelled = writer_.statement(
        "SELECT id FROM queue WHERE worker = ?1 AND status = 'claimed' AND cancel_requested_at IS NOT NULL "
        "ORDER BY id");
    cancelled->bind_all(worker);
    boost::json::array ids;
    while (cancelled->step()) ids.push_back(cancelled->integer(0));
    return boost::json::serialize(boost::json::object{{"cancel", std::move(ids)}});
  });
}

void SqliteStore::cancel_attempt(std::int64_t id, std::int64_t at) {
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    std::string status;
    {
      CachedStatement select = writer_.statement("SELECT status FROM queue WHERE id = ?1");
      select->bind_all(id);
      if (!select->step()) throw NotFound("cancel_attempt: no queued attempt with id " + std::to_string(id));
      status = select->text(0);
    }
    if (status == "queued") {
      CachedStatement cancel = writer_.statement(
          "UPDATE queue SET status = 'done', outcome = 'cancelled', cancel_requested_at = ?2, finished_at = ?2, "
          "error = 'cancelled before a worker claimed it' WHERE id = ?1");
      cancel->bind_all(id, at);
      cancel->run();
    } else if (status == "claimed") {
      // The first request counts; the worker sees it on its next heartbeat.
      CachedStatement request = writer_.statement(
          "UPDATE queue SET cancel_requested_at = coalesce(cancel_requested_at, ?2) WHERE id = ?1");
      request->bind_all(id, at);
      request->run();
    }
  });
}

namespace {

// "process, python" -> ["process","python"] as JSON text, for json_each().
std::string executor_list(std::string_view executors) {
  boost::json::array names;
  for (std::string& name : executor_names(executors)) names.emplace_back(name);
  return boost::json::serialize(names);
}

// Claims of workers that stopped heartbeating go back to the queue; one whose
// cancellation was asked ends cancelled instead, as nobody wants it run.
void requeue_expired_claims(Connection& db, std::int64_t now) {
  {
    CachedStatement cancel = db.statement(
        "UPDATE queue SET status = 'done', outcome = 'cancelled', finished_at = ?1, lease_expires_at = NULL, "
        "error = 'cancelled; its worker stopped heartbeating' "
        "WHERE status = 'claimed' AND lease_expires_at < ?1 AND cancel_requested_at IS NOT NULL");
    cancel->bind_all(now);
    cancel->run();
  }
  CachedStatement requeue = db.statement(
      "UPDATE queue SET status = 'queued', worker = NULL, lease_expires_at = NULL, claimed_at = NULL "
      "WHERE status = 'claimed' AND lease_expires_at < ?1");
  requeue->bind_all(now);
  requeue->run();
}

std::string claim_oldest(Connection& db, std::string_view worker, const std::string& executors, std::int64_t now,
                         std::int64_t lease_ms) {
  std::int64_t id = 0;
  boost::json::object claimed;
  {
    CachedStatement select = db.statement(
        "SELECT id, run_id, task, attempt, executor, payload_json FROM queue "
        "WHERE status = 'queued' AND executor IN (SELECT value FROM json_each(?1)) ORDER BY id LIMIT 1");
    select->bind_all(std::string_view(executors));
    if (!select->step()) return "{}";
    id = select->integer(0);
    claimed = boost::json::object{{"id", id},
                                  {"run_id", json_text(select->text(1))},
                                  {"task", json_text(select->text(2))},
                                  {"attempt", select->integer(3)},
                                  {"executor", json_text(select->text(4))},
                                  {"payload", embedded_json(select->text(5))}};
  }
  CachedStatement claim = db.statement(
      "UPDATE queue SET status = 'claimed', worker = ?2, lease_expires_at = ?3, claimed_at = ?4 WHERE id = ?1");
  claim->bind_all(id, worker, now + lease_ms, now);
  claim->run();
  return boost::json::serialize(claimed);
}

}  // namespace

}  // namespace ork::plugins::sqlite
