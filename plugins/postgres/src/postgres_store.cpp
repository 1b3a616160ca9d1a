#include "postgres_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "ork_storage/json_text.hpp"
#include "ork_storage/write_checks.hpp"
#include "migrations.hpp"
#include "queries.hpp"
#include "store_transaction.hpp"

namespace ork::plugins::postgres {

// The status tables, write checks and JSON helpers both stores share.
using namespace storage;

using ork::plugin::Conflict;
using ork::plugin::NotFound;

namespace {

// A batch of log lines, checked and prepared outside its transaction.
struct LogBatch {
  std::vector<TouchedTask> touched;  // one "log" event each
  std::vector<std::string_view> runs;
  std::string id;  // recognises the batch when a retry finds it committed
  std::int64_t at = 0;
};

void apply_task_updates(Connection& db, std::span<const ork::plugin::TaskUpdate> updates,
                        const std::vector<TaskStatus>& statuses);
LogBatch log_batch(std::span<const ork::plugin::LogLine> lines);
bool batch_committed(Connection& db, const LogBatch& batch);
void insert_log_batch(Connection& db, std::span<const ork::plugin::LogLine> lines, const LogBatch& batch);
std::optional<TaskState> lock_task_state(Connection& db, std::string_view run_id, std::string_view task);
bool run_exists(Connection& db, std::string_view run_id);
bool add_instance_row(Connection& db, std::string_view run_id, std::string_view task);
void write_attempt_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status);
void write_task_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status);
void append_event(Connection& db, std::string_view run_id, std::optional<std::string_view> task,
                  std::string_view kind, std::optional<std::string_view> status, std::int64_t at);
std::optional<std::string> run_with_idempotency_key(Connection& db, const ork::plugin::RunRecord& run);
bool insert_run(Connection& db, const ork::plugin::RunRecord& run);
bool is_same_run(Connection& db, const ork::plugin::RunRecord& run);
void insert_tasks(Connection& db, const ork::plugin::RunRecord& run);
void check_streams(std::span<const ork::plugin::LogLine> lines);
std::string new_batch_id();
std::int64_t wall_clock_ms();

}  // namespace

PostgresStore::PostgresStore(const ServerUrl& url) : pool_(url), listener_(url) {
  Pool::Lease connection = pool_.acquire();
  migrate(*connection);
}

std::int64_t PostgresStore::save_workflow(const ork::plugin::WorkflowRecord& workflow) {
  if (workflow.name.empty()) throw std::invalid_argument("save_workflow: the workflow has no name");
  return in_transaction(begin_write, [&](Connection& db, bool) {
    // Look first: a conflicting INSERT would still use up a sequence number.
    constexpr std::string_view select = "SELECT id FROM workflow_versions WHERE name = $1 AND content_hash = $2";
    if (const Result found = db.exec(select, {workflow.name, workflow.content_hash}); found.rows() > 0) {
      return found.integer(0, 0);
    }
    db.exec(
        "INSERT INTO workflow_versions (name, content_hash, file, source, spec_json, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name, content_hash) DO NOTHING",
        {workflow.name, workflow.content_hash, workflow.file, workflow.source, workflow.spec_json,
         workflow.created_at});
    return db.exec(select, {workflow.name, workflow.content_hash}).integer(0, 0);
  });
}

ork::plugin::CreatedRun PostgresStore::create_run(const ork::plugin::RunRecord& run) {
  if (run.run_id.empty()) throw std::invalid_argument("create_run: the run has no id");
  if (run.workflow_name.empty()) {
    throw std::invalid_argument("create_run: run '" + std::string(run.run_id) + "' has no workflow name");
  }
  return in_transaction(begin_write, [&](Connection& db, bool retried) {
    if (std::optional<std::string> existing = run_with_idempotency_key(db, run)) {
      return ork::plugin::CreatedRun{std::move(*existing), true};
    }
    if (!insert_run(db, run)) {
      // Another process created a run with this key since the check above.
      if (std::optional<std::string> existing = run_with_idempotency_key(db, run)) {
        return ork::plugin::CreatedRun{std::move(*existing), true};
      }
      // Our first try committed before its connection was lost.
      if (retried && is_same_run(db, run)) return ork::plugin::CreatedRun{std::string(run.run_id), false};
      throw Conflict("create_run: a run with id '" + std::string(run.run_id) + "' already exists");
    }
    insert_tasks(db, run);
    append_event(db, run.run_id, std::nullopt, "run", "running", run.created_at);
    return ork::plugin::CreatedRun{std::string(run.run_id), false};
  });
}

// See docs/storage.md for the table of transitions. A late update (for an
// attempt older than the task's current one, or not newer than the attempt
// that made it final) is ignored, so an event that arrives after the task
// moved on never overwrites its state.
void PostgresStore::update_task(const ork::plugin::TaskUpdate& update) { update_tasks({&update, 1}); }

void PostgresStore::update_tasks(std::span<const ork::plugin::TaskUpdate> updates) {
  const std::vector<TaskStatus> statuses = parsed_statuses(updates);
  in_transaction(begin_write, [&](Connection& db, bool) { apply_task_updates(db, updates, statuses); });
}

void PostgresStore::update_run(std::string_view run_id, std::string_view status, std::int64_t at,
                               std::string_view error) {
  const RunStatus run_status = parse_run_status(status);
  const bool finished = run_status != RunStatus::running;
  in_transaction(begin_write, [&](Connection& db, bool) {
    const Result updated = db.exec("UPDATE runs SET status = $2, finished_at = $3, error = $4 WHERE id = $1",
                                   {run_id, status, finished ? std::optional<std::int64_t>(at) : std::nullopt,
                                    unless_empty(error)});
    if (updated.affected() == 0) throw NotFound("no run '" + std::string(run_id) + "'");
    append_event(db, run_id, std::nullopt, "run", status, at);
  });
}

// The batch is one transaction with a random batch id; when the connection
// is lost, the retry first checks whether that id committed, so a batch is
// stored exactly once.
void PostgresStore::append_logs(std::span<const ork::plugin::LogLine> lines) {
  if (lines.empty()) return;
  const LogBatch batch = log_batch(lines);
  in_transaction(begin_write, [&](Connection& db, bool retried) {
    if (retried && batch_committed(db, batch)) return;
    insert_log_batch(db, lines, batch);
  });
}

// Plugin API 1.9: both parts in one transaction, so a finished attempt's last
// lines and its end are stored together or not at all. A retry after a lost
// connection finds the batch id when the first try committed (lines and
// transitions alike).
void PostgresStore::append_logs_and_update_tasks(std::span<const ork::plugin::LogLine> lines,
                                                 std::span<const ork::plugin::TaskUpdate> updates) {
  if (lines.empty()) {
    update_tasks(updates);
    return;
  }
  const LogBatch batch = log_batch(lines);
  const std::vector<TaskStatus> statuses = parsed_statuses(updates);
  in_transaction(begin_write, [&](Connection& db, bool retried) {
    if (retried && batch_committed(db, batch)) return;
    insert_log_batch(db, lines, batch);
    apply_task_updates(db, updates, statuses);
  });
}

namespace {

// The transitions, in order, inside the caller's transaction.
void apply_task_updates(Connection& db, std::span<const ork::plugin::TaskUpdate> updates,
                        const std::vector<TaskStatus>& statuses) {
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const ork::plugin::TaskUpdate& update = updates[i];
    const TaskStatus status = statuses[i];
    std::optional<TaskState> current = lock_task_state(db, update.run_id, update.task_name);
    if (!current && add_instance_row(db, update.run_id, update.task_name)) {
      current = lock_task_state(db, update.run_id, update.task_name);
    }
    if (!current) {
      if (!run_exists(db, update.run_id)) throw NotFound("no run '" + std::string(update.run_id) + "'");
      throw NotFound("run '" + std::string(update.run_id) + "' has no task '" + std::string(update.task_name) +
                     "'");
    }
    if (is_late(*current, update.attempt)) continue;
    const bool has_attempt_row = update.attempt > 0 && status != TaskStatus::pending && status != TaskStatus::skipped;
    if (has_attempt_row) write_attempt_row(db, update, status);
    write_task_row(db, update, status);
    append_event(db, update.run_id, update.task_name, "task", name_of(status), update.at);
  }
}

LogBatch log_batch(std::span<const ork::plugin::LogLine> lines) {
  check_streams(lines);
  LogBatch batch;
  // One "log" event per (run, task) in the batch, stamped with its last line.
  batch.touched = tasks_touched_by(lines);
  for (const TouchedTask& t : batch.touched) {
    if (std::find(batch.runs.begin(), batch.runs.end(), t.run_id) == batch.runs.end()) batch.runs.push_back(t.run_id);
  }
  batch.id = new_batch_id();
  batch.at = wall_clock_ms();
  return batch;
}

bool batch_committed(Connection& db, const LogBatch& batch) {
  return db.exec("SELECT 1 FROM log_batches WHERE id = $1", {batch.id}).rows() > 0;
}

// The lines, their batch id and their "log" events inside the caller's transaction.
void insert_log_batch(Connection& db, std::span<const ork::plugin::LogLine> lines, const LogBatch& batch) {
  for (std::string_view run_id : batch.runs) {
    // KEY SHARE: the run cannot disappear before the lines commit.
    if (db.exec("SELECT 1 FROM runs WHERE id = $1 FOR KEY SHARE", {run_id}).rows() == 0) {
      throw NotFound("append_logs: no run '" + std::string(run_id) + "'");
    }
  }
  for (const ork::plugin::LogLine& line : lines) {
    db.exec("INSERT INTO logs (run_id, task, attempt, stream, at, line) VALUES ($1, $2, $3, $4, $5, $6)",
            {line.run_id, line.task_name, line.attempt, static_cast<int>(line.stream), line.at,
             Param::bytes(line.line)});
  }
  db.exec("INSERT INTO log_batches (id, at) VALUES ($1, $2)", {batch.id, batch.at});
  // Batch ids matter only for a retry seconds later; keep the table small.
  if (batch.id.back() == '0') db.exec("DELETE FROM log_batches WHERE at < $1", {batch.at - 3'600'000});
  for (const TouchedTask& t : batch.touched) append_event(db, t.run_id, t.task, "log", std::nullopt, t.at);
}

}  // namespace

bool PostgresStore::claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner,
                              std::int64_t now, std::int64_t lease_ms) {
  if (owner.empty()) throw std::invalid_argument("claim_run: no owner given for run '" + std::string(run_id) + "'");
  if (lease_ms <= 0) throw std::invalid_argument("claim_run: the lease must be positive, got " + std::to_string(lease_ms));
  return in_transaction(begin_write, [&](Connection& db, bool) {
    const Result current =
        db.exec("SELECT status, owner, lease_expires_at FROM runs WHERE id = $1 FOR UPDATE", {run_id});
    if (current.rows() == 0) throw NotFound("no run '" + std::string(run_id) + "'");
    if (current.text(0, 0) != "running") return false;
    const std::string_view current_owner = current.text(0, 1);
    const std::optional<std::int64_t> lease_expires_at = current.optional_integer(0, 2);
    const bool claimable = current_owner.empty() || current_owner == owner || !lease_expires_at ||
                           *lease_expires_at < now || (!dead_owner.empty() && current_owner == dead_owner);
    if (!claimable) return false;
    db.exec("UPDATE runs SET owner = $2, lease_expires_at = $3, heartbeat_at = $4 WHERE id = $1",
            {run_id, owner, now + lease_ms, now});
    return true;
  });
}

std::string PostgresStore::renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) {
  if (lease_ms <= 0) {
    throw std::invalid_argument("renew_leases: the lease must be positive, got " + std::to_string(lease_ms));
  }
  return in_transaction(begin_write, [&](Connection& db, bool) {
    db.exec("UPDATE runs SET lease_expires_at = $2, heartbeat_at = $3 WHERE owner = $1 AND status = 'running'",
            {owner, now + lease_ms, now});
    const Result cancelled = db.exec(
        "SELECT id FROM runs WHERE owner = $1 AND status = 'running' AND cancel_requested_at IS NOT NULL "
        "ORDER BY id",
        {owner});
    boost::json::array ids;
    for (int i = 0; i < cancelled.rows(); ++i) ids.push_back(json_text(cancelled.text(i, 0)));
    return boost::json::serialize(boost::json::object{{"cancel_requested", std::move(ids)}});
  });
}

void PostgresStore::request_cancel(std::string_view run_id, std::int64_t at) {
  in_transaction(begin_write, [&](Connection& db, bool) {
    // The first request counts; asking again changes nothing.
    const Result requested =
        db.exec("UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, $2) WHERE id = $1",
                {run_id, at});
    if (requested.affected() == 0) throw NotFound("no run '" + std::string(run_id) + "'");
  });
}

void PostgresStore::set_workflow_setting(std::string_view workflow, std::string_view key,
                                         std::string_view value_json) {
  check_workflow_setting(workflow, key, value_json);
  in_transaction(begin_write, [&](Connection& db, bool) {
    db.exec(
        "INSERT INTO workflow_settings (workflow, key, value_json) VALUES ($1, $2, $3) "
        "ON CONFLICT (workflow, key) DO UPDATE SET value_json = excluded.value_json",
        {workflow, key, value_json});
  });
}

std::string PostgresStore::query(ork_query_kind kind, std::string_view params_json) {
  return in_transaction(begin_read, [&](Connection& db, bool) { return answer_query(db, kind, params_json); });
}

namespace {


// FOR UPDATE: two processes updating one task apply their updates one after
// the other, each seeing the state the other left.
std::optional<TaskState> lock_task_state(Connection& db, std::string_view run_id, std::string_view task) {
  const Result select =
      db.exec("SELECT status, attempts FROM tasks WHERE run_id = $1 AND name = $2 FOR UPDATE", {run_id, task});
  if (select.rows() == 0) return std::nullopt;
  return TaskState{parse_task_status(select.text(0, 0)), static_cast<std::uint32_t>(select.integer(0, 1))};
}

// An instance of a mapped task ("count[3]") gets its row on its first
// transition, at its parent's position (the host orders instances by index).
bool add_instance_row(Connection& db, std::string_view run_id, std::string_view task) {
  const std::optional<std::string_view> parent = instance_parent(task);
  if (!parent) return false;
  db.exec(
      "INSERT INTO tasks (run_id, name, position, status, attempts) "
      "SELECT run_id, $3, position, 'pending', 0 FROM tasks WHERE run_id = $1 AND name = $2 "
      "ON CONFLICT DO NOTHING",
      {run_id, *parent, task});
  return true;  // inserted, or by a concurrent writer: the caller reads it again
}

bool run_exists(Connection& db, std::string_view run_id) {
  return db.exec("SELECT 1 FROM runs WHERE id = $1", {run_id}).rows() > 0;
}

void write_attempt_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status) {
  // A retry means this attempt failed; the task itself shows `retrying`.
  const TaskStatus attempt_status = status == TaskStatus::retrying ? TaskStatus::failed : status;
  const bool starting = status == TaskStatus::running;
  db.exec(
      "INSERT INTO attempts (run_id, task, attempt, status, started_at, finished_at, output_json, error) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (run_id, task, attempt) DO UPDATE SET status = excluded.status, "
      "started_at = coalesce(excluded.started_at, attempts.started_at), finished_at = excluded.finished_at, "
      "output_json = excluded.output_json, error = excluded.error",
      {update.run_id, update.task_name, update.attempt, name_of(attempt_status),
       starting ? std::optional<std::int64_t>(update.at) : std::nullopt,
       starting ? std::nullopt : std::optional<std::int64_t>(update.at),
       has_output(status) ? unless_empty(update.output_json) : std::nullopt,
       starting ? std::nullopt : unless_empty(update.error)});
}

void write_task_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status) {
  db.exec(
      "UPDATE tasks SET status = $3::text, attempts = greatest(attempts, $4::integer), error = $5, "
      "output_json = $6, "
      "started_at = CASE WHEN $3::text = 'running' THEN coalesce(started_at, $7::bigint) ELSE started_at END, "
      "finished_at = $8, next_attempt_at = $9 WHERE run_id = $1 AND name = $2",
      {update.run_id, update.task_name, name_of(status), update.attempt,
       status == TaskStatus::running ? std::nullopt : unless_empty(update.error),
       has_output(status) ? unless_empty(update.output_json) : std::nullopt, update.at,
       is_final(status) ? std::optional<std::int64_t>(update.at) : std::nullopt,
       status == TaskStatus::retrying ? unless_zero(update.next_attempt_at) : std::nullopt});
}

void append_event(Connection& db, std::string_view run_id, std::optional<std::string_view> task,
                  std::string_view kind, std::optional<std::string_view> status, std::int64_t at) {
  // Held to COMMIT: the next writer takes its sequence number only after this
  // transaction is visible, so numbers become visible in order.
  db.exec("SELECT pg_advisory_xact_lock($1::bigint)", {event_lock_key});
  db.exec("INSERT INTO events (run_id, task, kind, status, at) VALUES ($1, $2, $3, $4, $5)",
          {run_id, task, kind, status, at});
}

std::optional<std::string> run_with_idempotency_key(Connection& db, const ork::plugin::RunRecord& run) {
  if (run.idempotency_key.empty()) return std::nullopt;
  const Result existing = db.exec("SELECT id FROM runs WHERE workflow_name = $1 AND idempotency_key = $2",
                                  {run.workflow_name, run.idempotency_key});
  if (existing.rows() == 0) return std::nullopt;
  return std::string(existing.text(0, 0));
}

// False when the id or the idempotency key is taken already.
bool insert_run(Connection& db, const ork::plugin::RunRecord& run) {
  try {
    const Result inserted = db.exec(
        "INSERT INTO runs (id, workflow_version_id, workflow_name, status, inputs_json, idempotency_key, "
        "triggered_by, owner, heartbeat_at, created_at, started_at, lease_expires_at) "
        "VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8, $8, $8, $9) ON CONFLICT DO NOTHING",
        {run.run_id, unless_zero(run.workflow_version_id), run.workflow_name,
         run.inputs_json.empty() ? std::string_view("{}") : run.inputs_json, unless_empty(run.idempotency_key),
         run.trigger, run.owner, run.created_at, run.created_at + unclaimed_run_grace_ms});
    return inserted.affected() == 1;
  } catch (const PgError& e) {
    if (e.sqlstate() != "23503") throw;  // foreign_key_violation
    throw NotFound("create_run: workflow version " + std::to_string(run.workflow_version_id) +
                   " does not exist; save the workflow before creating its run");
  }
}

bool is_same_run(Connection& db, const ork::plugin::RunRecord& run) {
  return db.exec("SELECT 1 FROM runs WHERE id = $1 AND workflow_name = $2 AND created_at = $3 AND owner = $4",
                 {run.run_id, run.workflow_name, run.created_at, run.owner})
             .rows() > 0;
}

void insert_tasks(Connection& db, const ork::plugin::RunRecord& run) {
  for (std::size_t position = 0; position < run.task_names.size(); ++position) {
    try {
      db.exec("INSERT INTO tasks (run_id, name, position, status, attempts) VALUES ($1, $2, $3, 'pending', 0)",
              {run.run_id, run.task_names[position], position});
    } catch (const PgError& e) {
      if (e.sqlstate() != "23505") throw;  // unique_violation
      throw std::invalid_argument("create_run: task '" + std::string(run.task_names[position]) +
                                  "' is listed twice in run '" + std::string(run.run_id) + "'");
    }
  }
}

void check_streams(std::span<const ork::plugin::LogLine> lines) {
  for (const ork::plugin::LogLine& line : lines) {
    if (line.stream < ORK_LOG_STDOUT || line.stream > ORK_LOG_SYSTEM) {
      throw std::invalid_argument("append_logs: log line of run '" + std::string(line.run_id) + "' task '" +
                                  std::string(line.task_name) + "' has unknown stream " +
                                  std::to_string(static_cast<int>(line.stream)) + " (expected 1, 2 or 3)");
    }
  }
}

// 128 random bits in hex: unique across processes without coordination.
std::string new_batch_id() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id;
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id.push_back(digits[bits & 0xF]);
  }
  return id;
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

}  // namespace ork::plugins::postgres
