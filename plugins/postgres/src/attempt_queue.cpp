// PostgresStore's queue of task attempts for `ork worker` (plugin API 1.3):
// enqueue, claim, complete, heartbeat and cancel, each one transaction; claims
// lock with FOR UPDATE SKIP LOCKED and an enqueue or completion sends NOTIFY.
// The states and their meaning are in docs/storage.md.
#include <boost/json.hpp>

#include <cstdio>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "ork_storage/json_text.hpp"
#include "ork_storage/write_checks.hpp"
#include "postgres_store.hpp"
#include "store_transaction.hpp"

namespace ork::plugins::postgres {

// The queue checks and JSON helpers both stores share.
using namespace storage;

using ork::plugin::NotFound;

namespace {

std::string executor_list(std::string_view executors);
std::string new_claim_token();
std::optional<std::string> reclaim_own_claim(Connection& db, const std::string& token);
void requeue_expired_claims(Connection& db, std::int64_t now);
std::string claim_oldest(Connection& db, std::string_view worker, const std::string& executors, std::int64_t now,
                         std::int64_t lease_ms, const std::string& token);
std::string claimed_json(const Result& row);

}  // namespace

// ---- API 1.3: the queue of task attempts for `ork worker` ------------------------

std::int64_t PostgresStore::enqueue_attempt(const QueuedAttempt& attempt) {
  check_attempt(attempt);
  return in_transaction(begin_write, [&](Connection& db, bool) {
    // An attempt already queued (a repeat, or a retry whose first COMMIT
    // went through) keeps its first row; workers hear of new rows only.
    const Result inserted = db.exec(
        "INSERT INTO queue (run_id, task, attempt, executor, payload_json, status, enqueued_at) "
        "VALUES ($1, $2, $3, $4, $5, 'queued', $6) ON CONFLICT (run_id, task, attempt) DO NOTHING RETURNING id",
        {attempt.run_id, attempt.task_name, attempt.attempt, attempt.executor, attempt.payload_json, attempt.at});
    if (inserted.rows() > 0) {
      db.exec("SELECT pg_notify('ork_queue', $1)", {attempt.executor});
      return inserted.integer(0, 0);
    }
    return db
        .exec("SELECT id FROM queue WHERE run_id = $1 AND task = $2 AND attempt = $3",
              {attempt.run_id, attempt.task_name, attempt.attempt})
        .integer(0, 0);
  });
}

std::string PostgresStore::claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                                         std::int64_t lease_ms) {
  check_worker_and_lease("claim_attempt", worker, lease_ms);
  const std::string executor_names = executor_list(executors);
  const std::string token = new_claim_token();
  return in_transaction(begin_write, [&](Connection& db, bool retried) {
    // A retry after a lost COMMIT finds the row its first try claimed, which
    // would otherwise stay claimed by a worker that never heard of it.
    if (retried) {
      if (std::optional<std::string> own = reclaim_own_claim(db, token)) return std::move(*own);
    }
    requeue_expired_claims(db, now);
    return claim_oldest(db, worker, executor_names, now, lease_ms, token);
  });
}

void PostgresStore::complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                                     std::string_view output_json, std::string_view error, std::int64_t at) {
  const std::string_view outcome_text = outcome_name(outcome);
  in_transaction(begin_write, [&](Connection& db, bool) {
    // A worker that lost its claim (lease expired, re-queued) changes nothing;
    // neither does a retry whose first try committed.
    const Result done = db.exec(
        "UPDATE queue SET status = 'done', outcome = $3, output_json = $4, error = $5, finished_at = $6, "
        "lease_expires_at = NULL WHERE id = $1 AND worker = $2 AND status = 'claimed'",
        {id, worker, outcome_text, outcome == ORK_TASK_SUCCEEDED ? unless_empty(output_json) : std::nullopt,
         unless_empty(error), at});
    // Wakes the scheduler waiting for this result (see wait_for_queue).
    if (done.affected() > 0) db.exec("SELECT pg_notify('ork_queue', 'done')", {});
  });
}

void PostgresStore::wait_for_queue(std::int64_t timeout_ms) {
  listener_.wait(std::chrono::milliseconds(std::max<std::int64_t>(0, timeout_ms)));
}

std::string PostgresStore::worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                                            std::int64_t lease_ms) {
  check_worker_and_lease("worker_heartbeat", worker, lease_ms);
  const std::string_view info = info_json.empty() ? std::string_view("{}") : info_json;
  check_json("worker_heartbeat: the info of worker '" + std::string(worker) + "'", info);
  return in_transaction(begin_write, [&](Connection& db, bool) {
    db.exec(
        "INSERT INTO workers (name, info_json, last_heartbeat, lease_expires_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (name) DO UPDATE SET info_json = excluded.info_json, "
        "last_heartbeat = excluded.last_heartbeat, lease_expires_at = excluded.lease_expires_at",
        {worker, info, now, now + lease_ms});
    db.exec("UPDATE queue SET lease_expires_at = $2 WHERE worker = $1 AND status = 'claimed'",
            {worker, now + lease_ms});
    const Result cancelled = db.exec(
        "SELECT id FROM queue WHERE worker = $1 AND status = 'claimed' AND cancel_requested_at IS NOT NULL "
        "ORDER BY id",
        {worker});
    boost::json::array ids;
    for (int i = 0; i < cancelled.rows(); ++i) ids.push_back(cancelled.integer(i, 0));
    return boost::json::serialize(boost::json::object{{"cancel", std::move(ids)}});
  });
}

void PostgresStore::cancel_attempt(std::int64_t id, std::int64_t at) {
  in_transaction(begin_write, [&](Connection& db, bool) {
    // FOR UPDATE: a claim in progress finishes first (claims skip this row).
    const Result found = db.exec("SELECT status FROM queue WHERE id = $1 FOR UPDATE", {id});
    if (found.rows() == 0) throw NotFound("cancel_attempt: no queued attempt with id " + std::to_string(id));
    const std::string_view status = found.text(0, 0);
    if (status == "queued") {
      db.exec(
          "UPDATE queue SET status = 'done', outcome = 'cancelled', cancel_requested_at = $2, finished_at = $2, "
          "error = 'cancelled before a worker claimed it' WHERE id = $1",
          {id, at});
    } else if (status == "claimed") {
      // The first request counts; the worker sees it on its next heartbeat.
      db.exec("UPDATE queue SET cancel_requested_at = coalesce(cancel_requested_at, $2) WHERE id = $1", {id, at});
    }
  });
}

namespace {

// ---- API 1.3 helpers, in the order the queue calls use them --------------------

// "process, python" -> "process,python", for string_to_array($n, ',').
std::string executor_list(std::string_view executors) {
  std::string joined;
  for (const std::string& name : executor_names(executors)) joined += (joined.empty() ? "" : ",") + name;
  return joined;
}

constexpr std::string_view claimed_columns = "id, run_id, task, attempt, executor, payload_json";

// 128 random bits naming one claim_attempt call, whichever of a worker's
// slots makes it and whenever.
std::string new_claim_token() {
  thread_local std::mt19937_64 bits{std::random_device{}()};
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(bits()),
                static_cast<unsigned long long>(bits()));
  return text;
}

// The row the first try of this very call claimed, if its COMMIT went through.
std::optional<std::string> reclaim_own_claim(Connection& db, const std::string& token) {
  const Result own = db.exec("SELECT " + std::string(claimed_columns) +
                                 " FROM queue WHERE claim_token = $1 AND status = 'claimed' ORDER BY id LIMIT 1",
                             {token});
  if (own.rows() == 0) return std::nullopt;
  return claimed_json(own);
}

// Claims of workers that stopped heartbeating go back to the queue; one whose
// cancellation was asked ends cancelled instead, as nobody wants it run.
// SKIP LOCKED: rows another transaction is changing are left to it.
void requeue_expired_claims(Connection& db, std::int64_t now) {
  db.exec(
      "UPDATE queue SET status = 'done', outcome = 'cancelled', finished_at = $1, lease_expires_at = NULL, "
      "error = 'cancelled; its worker stopped heartbeating' WHERE id IN (SELECT id FROM queue "
      "WHERE status = 'claimed' AND lease_expires_at < $1 AND cancel_requested_at IS NOT NULL "
      "FOR UPDATE SKIP LOCKED)",
      {now});
  db.exec(
      "UPDATE queue SET status = 'queued', worker = NULL, lease_expires_at = NULL, claimed_at = NULL, claim_token = NULL "
      "WHERE id IN (SELECT id FROM queue WHERE status = 'claimed' AND lease_expires_at < $1 FOR UPDATE SKIP LOCKED)",
      {now});
}

// FOR UPDATE SKIP LOCKED: concurrent claimers each lock a different row and
// never wait for one another or claim the same row twice.
std::string claim_oldest(Connection& db, std::string_view worker, const std::string& executors, std::int64_t now,
                         std::int64_t lease_ms, const std::string& token) {
  const Result claimed = db.exec(
      "UPDATE queue SET status = 'claimed', worker = $1, lease_expires_at = $2, claimed_at = $3, claim_token = $5 "
      "WHERE id = (SELECT id FROM queue WHERE status = 'queued' AND executor = ANY (string_to_array($4, ',')) "
      "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " +
          std::string(claimed_columns),
      {worker, now + lease_ms, now, executors, token});
  if (claimed.rows() == 0) return "{}";
  return claimed_json(claimed);
}

// The first row of a result selected with `claimed_columns`, as plugin.h's answer.
std::string claimed_json(const Result& row) {
  return boost::json::serialize(boost::json::object{{"id", row.integer(0, 0)},
                                                    {"run_id", json_text(row.text(0, 1))},
                                                    {"task", json_text(row.text(0, 2))},
                                                    {"attempt", row.integer(0, 3)},
                                                    {"executor", json_text(row.text(0, 4))},
                                                    {"payload", embedded_json(row.text(0, 5))}});
}

}  // namespace

}  // namespace ork::plugins::postgres
