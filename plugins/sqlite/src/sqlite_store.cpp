#include "sqlite_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "ork_storage/json_text.hpp"
#include "ork_storage/write_checks.hpp"
#include "migrations.hpp"
#include "queries.hpp"

namespace ork::plugins::sqlite {

// The status tables, write checks and JSON helpers both stores share.
using namespace storage;

using ork::plugin::Conflict;
using ork::plugin::NotFound;

namespace {

ConnectionOptions connection_options(const DatabaseUrl& url, bool read_only);

std::optional<TaskState> read_task_state(Connection& db, std::string_view run_id, std::string_view task);
bool run_exists(Connection& db, std::string_view run_id);
void write_attempt_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status);
void write_task_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status);
void append_event(Connection& db, std::string_view run_id, std::optional<std::string_view> task,
                  std::string_view kind, std::optional<std::string_view> status, std::int64_t at);
void insert_run(Connection& db, const ork::plugin::RunRecord& run);
void insert_tasks(Connection& db, const ork::plugin::RunRecord& run);

}  // namespace

SqliteStore::SqliteStore(const DatabaseUrl& url)
    : writer_(connection_options(url, false)), reader_(connection_options(url, true)) {
  migrate(writer_);
}

std::int64_t SqliteStore::save_workflow(const ork::plugin::WorkflowRecord& workflow) {
  if (workflow.name.empty()) throw std::invalid_argument("save_workflow: the workflow has no name");
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    {
      CachedStatement insert = writer_.statement(
          "INSERT INTO workflow_versions (name, content_hash, file, source, spec_json, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name, content_hash) DO NOTHING");
      insert->bind_all(workflow.name, workflow.content_hash, workflow.file, workflow.source, workflow.spec_json,
                       workflow.created_at);
      insert->run();
    }
    CachedStatement select =
        writer_.statement("SELECT id FROM workflow_versions WHERE name = ?1 AND content_hash = ?2");
    select->bind_all(workflow.name, workflow.content_hash);
    select->step();
    return select->integer(0);
  });
}

ork::plugin::CreatedRun SqliteStore::create_run(const ork::plugin::RunRecord& run) {
  if (run.run_id.empty()) throw std::invalid_argument("create_run: the run has no id");
  if (run.workflow_name.empty()) {
    throw std::invalid_argument("create_run: run '" + std::string(run.run_id) + "' has no workflow name");
  }
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    if (!run.idempotency_key.empty()) {
      CachedStatement existing =
          writer_.statement("SELECT id FROM runs WHERE workflow_name = ?1 AND idempotency_key = ?2");
      existing->bind_all(run.workflow_name, run.idempotency_key);
      if (existing->step()) return ork::plugin::CreatedRun{std::string(existing->text(0)), true};
    }
    insert_run(writer_, run);
    insert_tasks(writer_, run);
    append_event(writer_, run.run_id, std::nullopt, "run", "running", run.created_at);
    return ork::plugin::CreatedRun{std::string(run.run_id), false};
  });
}

// See docs/storage.md for the table of transitions. A late update (for an
// attempt older than the task's current one, or not newer than the attempt
// that made it final) is ignored, so an event that arrives after the task
// moved on never overwrites its state.
namespace {
void apply_task_updates(Connection& writer, std::span<const ork::plugin::TaskUpdate> updates,
                        const std::vector<TaskStatus>& statuses);
void apply_task_update(Connection& writer, const ork::plugin::TaskUpdate& update, TaskStatus status);
bool add_instance_row(Connection& db, std::string_view run_id, std::string_view task);
void check_streams(std::span<const ork::plugin::LogLine> lines);
void insert_log_lines(Connection& writer, std::span<const ork::plugin::LogLine> lines,
                      const std::vector<TouchedTask>& touched);
}  // namespace

void SqliteStore::update_task(const ork::plugin::TaskUpdate& update) { update_tasks({&update, 1}); }

void SqliteStore::update_tasks(std::span<const ork::plugin::TaskUpdate> updates) {
  const std::vector<TaskStatus> statuses = parsed_statuses(updates);
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] { apply_task_updates(writer_, updates, statuses); });
}

namespace {

// The transitions, in order, inside the caller's transaction.
void apply_task_updates(Connection& writer, std::span<const ork::plugin::TaskUpdate> updates,
                        const std::vector<TaskStatus>& statuses) {
  for (std::size_t i = 0; i < updates.size(); ++i) apply_task_update(writer, updates[i], statuses[i]);
}

// One transition inside the caller's transaction.
void apply_task_update(Connection& writer, const ork::plugin::TaskUpdate& update, TaskStatus status) {
  std::optional<TaskState> current = read_task_state(writer, update.run_id, update.task_name);
  if (!current && add_instance_row(writer, update.run_id, update.task_name)) {
    current = read_task_state(writer, update.run_id, update.task_name);
  }
  if (!current) {
    if (!run_exists(writer, update.run_id)) throw NotFound("no run '" + std::string(update.run_id) + "'");
    throw NotFound("run '" + std::string(update.run_id) + "' has no task '" + std::string(update.task_name) + "'");
  }
  if (is_late(*current, update.attempt)) return;
  const bool has_attempt_row = update.attempt > 0 && status != TaskStatus::pending && status != TaskStatus::skipped;
  if (has_attempt_row) write_attempt_row(writer, update, status);
  write_task_row(writer, update, status);
  append_event(writer, update.run_id, update.task_name, "task", name_of(status), update.at);
}

}  // namespace

void SqliteStore::update_run(std::string_view run_id, std::string_view status, std::int64_t at,
                             std::string_view error) {
  const RunStatus run_status = parse_run_status(status);
  const bool finished = run_status != RunStatus::running;
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    CachedStatement update =
        writer_.statement("UPDATE runs SET status = ?2, finished_at = ?3, error = ?4 WHERE id = ?1");
    update->bind_all(run_id, status, finished ? std::optional<std::int64_t>(at) : std::nullopt,
                     unless_empty(error));
    update->run();
    if (writer_.changes() == 0) throw NotFound("no run '" + std::string(run_id) + "'");
    append_event(writer_, run_id, std::nullopt, "run", status, at);
  });
}

void SqliteStore::append_logs(std::span<const ork::plugin::LogLine> lines) {
  if (lines.empty()) return;
  check_streams(lines);
  // One "log" event per (run, task) in the batch, stamped with its last line.
  const std::vector<TouchedTask> touched = tasks_touched_by(lines);
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] { insert_log_lines(writer_, lines, touched); });
}

// Plugin API 1.9: both parts in one transaction, so a finished attempt's last
// lines and its end are stored together or not at all.
void SqliteStore::append_logs_and_update_tasks(std::span<const ork::plugin::LogLine> lines,
                                               std::span<const ork::plugin::TaskUpdate> updates) {
  if (lines.empty() && updates.empty()) return;
  check_streams(lines);
  const std::vector<TouchedTask> touched = tasks_touched_by(lines);
  const std::vector<TaskStatus> statuses = parsed_statuses(updates);
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    insert_log_lines(writer_, lines, touched);
    apply_task_updates(writer_, updates, statuses);
  });
}

namespace {

void check_streams(std::span<const ork::plugin::LogLine> lines) {
  for (const ork::plugin::LogLine& line : lines) {
    if (line.stream < ORK_LOG_STDOUT || line.stream > ORK_LOG_SYSTEM) {
      throw std::invalid_argument("append_logs: log line of run '" + std::string(line.run_id) + "' task '" +
                                  std::string(line.task_name) + "' has unknown stream " +
                                  std::to_string(static_cast<int>(line.stream)) + " (expected 1, 2 or 3)");
    }
  }
}

// The lines and their "log" events inside the caller's transaction.
void insert_log_lines(Connection& writer, std::span<const ork::plugin::LogLine> lines,
                      const std::vector<TouchedTask>& touched) {
  for (const ork::plugin::LogLine& line : lines) {
    CachedStatement insert = writer.statement(
        "INSERT INTO logs (run_id, task, attempt, stream, at, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert->bind_all(line.run_id, line.task_name, line.attempt, static_cast<int>(line.stream), line.at,
                     Blob{line.line});
    try {
      insert->run();
    } catch (const SqliteError& e) {
      if (e.code() != SQLITE_CONSTRAINT_FOREIGNKEY) throw;
      throw NotFound("append_logs: no run '" + std::string(line.run_id) + "'");
    }
  }
  for (const TouchedTask& t : touched) append_event(writer, t.run_id, t.task, "log", std::nullopt, t.at);
}

}  // namespace

bool SqliteStore::claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner,
                            std::int64_t now, std::int64_t lease_ms) {
  if (owner.empty()) throw std::invalid_argument("claim_run: no owner given for run '" + std::string(run_id) + "'");
  if (lease_ms <= 0) throw std::invalid_argument("claim_run: the lease must be positive, got " + std::to_string(lease_ms));
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    std::string current_owner;
    std::optional<std::int64_t> lease_expires_at;
    {
      CachedStatement select = writer_.statement("SELECT status, owner, lease_expires_at FROM runs WHERE id = ?1");
      select->bind_all(run_id);
      if (!select->step()) throw NotFound("no run '" + std::string(run_id) + "'");
      if (select->text(0) != "running") return false;
      current_owner = select->text(1);
      lease_expires_at = select->optional_integer(2);
    }
    const bool claimable = current_owner.empty() || current_owner == owner || !lease_expires_at ||
                           *lease_expires_at < now || (!dead_owner.empty() && current_owner == dead_owner);
    if (!claimable) return false;
    CachedStatement claim =
        writer_.statement("UPDATE runs SET owner = ?2, lease_expires_at = ?3, heartbeat_at = ?4 WHERE id = ?1");
    claim->bind_all(run_id, owner, now + lease_ms, now);
    claim->run();
    return true;
  });
}

std::string SqliteStore::renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) {
  if (lease_ms <= 0) {
    throw std::invalid_argument("renew_leases: the lease must be positive, got " + std::to_string(lease_ms));
  }
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    CachedStatement renew = writer_.statement(
        "UPDATE runs SET lease_expires_at = ?2, heartbeat_at = ?3 WHERE owner = ?1 AND status = 'running'");
    renew->bind_all(owner, now + lease_ms, now);
    renew->run();
    CachedStatement cancelled = writer_.statement(
        "SELECT id FROM runs WHERE owner = ?1 AND status = 'running' AND cancel_requested_at IS NOT NULL "
        "ORDER BY id");
    cancelled->bind_all(owner);
    boost::json::array ids;
    while (cancelled->step()) ids.push_back(json_text(cancelled->text(0)));
    return boost::json::serialize(boost::json::object{{"cancel_requested", std::move(ids)}});
  });
}

void SqliteStore::request_cancel(std::string_view run_id, std::int64_t at) {
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    // The first request counts; asking again changes nothing.
    CachedStatement request = writer_.statement(
        "UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, ?2) WHERE id = ?1");
    request->bind_all(run_id, at);
    request->run();
    if (writer_.changes() == 0) throw NotFound("no run '" + std::string(run_id) + "'");
  });
}

void SqliteStore::set_workflow_setting(std::string_view workflow, std::string_view key,
                                       std::string_view value_json) {
  check_workflow_setting(workflow, key, value_json);
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    CachedStatement upsert = writer_.statement(
        "INSERT INTO workflow_settings (workflow, key, value_json) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (workflow, key) DO UPDATE SET value_json = excluded.value_json");
    upsert->bind_all(workflow, key, value_json);
    upsert->run();
  });
}

std::string SqliteStore::query(ork_query_kind kind, std::string_view params_json) {
  std::lock_guard lock(read_mutex_);
  return reader_.read_transaction([&] { return answer_query(reader_, kind, params_json); });
}

namespace {

ConnectionOptions connection_options(const DatabaseUrl& url, bool read_only) {
  ConnectionOptions options;
  options.file = url.file;
  options.synchronous = url.synchronous;
  options.read_only = read_only;
  return options;
}

std::optional<TaskState> read_task_state(Connection& db, std::string_view run_id, std::string_view task) {
  CachedStatement select = db.statement("SELECT status, attempts FROM tasks WHERE run_id = ?1 AND name = ?2");
  select->bind_all(run_id, task);
  if (!select->step()) return std::nullopt;
  return TaskState{parse_task_status(select->text(0)), static_cast<std::uint32_t>(select->integer(1))};
}

// An instance of a mapped task ("count[3]") gets its row on its first
// transition, at its parent's position (the host orders instances by index).
bool add_instance_row(Connection& db, std::string_view run_id, std::string_view task) {
  const std::optional<std::string_view> parent = instance_parent(task);
  if (!parent) return false;
  CachedStatement insert = db.statement(
      "INSERT INTO tasks (run_id, name, position, status, attempts) "
      "SELECT run_id, ?3, position, 'pending', 0 FROM tasks WHERE run_id = ?1 AND name = ?2");
  insert->bind_all(run_id, *parent, task);
  insert->run();
  return db.changes() > 0;
}

bool run_exists(Connection& db, std::string_view run_id) {
  CachedStatement select = db.statement("SELECT 1 FROM runs WHERE id = ?1");
  select->bind_all(run_id);
  return select->step();
}

void write_attempt_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status) {
  // A retry means this attempt failed; the task itself shows `retrying`.
  const TaskStatus attempt_status = status == TaskStatus::retrying ? TaskStatus::failed : status;
  const bool starting = status == TaskStatus::running;
  CachedStatement upsert = db.statement(
      "INSERT INTO attempts (run_id, task, attempt, status, started_at, finished_at, output_json, error) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (run_id, task, attempt) DO UPDATE SET status = excluded.status, "
      "started_at = coalesce(excluded.started_at, attempts.started_at), finished_at = excluded.finished_at, "
      "output_json = excluded.output_json, error = excluded.error");
  upsert->bind_all(update.run_id, update.task_name, update.attempt, name_of(attempt_status),
                   starting ? std::optional<std::int64_t>(update.at) : std::nullopt,
                   starting ? std::nullopt : std::optional<std::int64_t>(update.at),
                   has_output(status) ? unless_empty(update.output_json) : std::nullopt,
                   starting ? std::nullopt : unless_empty(update.error));
  upsert->run();
}

void write_task_row(Connection& db, const ork::plugin::TaskUpdate& update, TaskStatus status) {
  CachedStatement set = db.statement(
      "UPDATE tasks SET status = ?3, attempts = max(attempts, ?4), error = ?5, output_json = ?6, "
      "started_at = CASE WHEN ?3 = 'running' THEN coalesce(started_at, ?7) ELSE started_at END, "
      "finished_at = ?8, next_attempt_at = ?9 WHERE run_id = ?1 AND name = ?2");
  set->bind_all(update.run_id, update.task_name, name_of(status), update.attempt,
                status == TaskStatus::running ? std::nullopt : unless_empty(update.error),
                has_output(status) ? unless_empty(update.output_json) : std::nullopt, update.at,
                is_final(status) ? std::optional<std::int64_t>(update.at) : std::nullopt,
                status == TaskStatus::retrying ? unless_zero(update.next_attempt_at) : std::nullopt);
  set->run();
}

void append_event(Connection& db, std::string_view run_id, std::optional<std::string_view> task,
                  std::string_view kind, std::optional<std::string_view> status, std::int64_t at) {
  // Writers hold the database's write lock from BEGIN IMMEDIATE to COMMIT, so
  // sequence numbers become visible in order: a reader that polls "after N"
  // never skips an event committed later with a smaller number.
  CachedStatement insert =
      db.statement("INSERT INTO events (run_id, task, kind, status, at) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert->bind_all(run_id, task, kind, status, at);
  insert->run();
}

void insert_run(Connection& db, const ork::plugin::RunRecord& run) {
  CachedStatement insert = db.statement(
      "INSERT INTO runs (id, workflow_version_id, workflow_name, status, inputs_json, idempotency_key, "
      "triggered_by, owner, heartbeat_at, created_at, started_at, lease_expires_at) "
      "VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?9)");
  insert->bind_all(run.run_id, unless_zero(run.workflow_version_id), run.workflow_name,
                   run.inputs_json.empty() ? std::string_view("{}") : run.inputs_json,
                   unless_empty(run.idempotency_key), run.trigger, run.owner, run.created_at,
                   run.created_at + unclaimed_run_grace_ms);
  try {
    insert->run();
  } catch (const SqliteError& e) {
    if (e.code() == SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw Conflict("create_run: a run with id '" + std::string(run.run_id) + "' already exists");
    }
    if (e.code() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      throw NotFound("create_run: workflow version " + std::to_string(run.workflow_version_id) +
                     " does not exist; save the workflow before creating its run");
    }
    throw;
  }
}

void insert_tasks(Connection& db, const ork::plugin::RunRecord& run) {
  for (std::size_t position = 0; position < run.task_names.size(); ++position) {
    CachedStatement insert = db.statement(
        "INSERT INTO tasks (run_id, name, position, status, attempts) VALUES (?1, ?2, ?3, 'pending', 0)");
    insert->bind_all(run.run_id, run.task_names[position], static_cast<std::int64_t>(position));
    try {
      insert->run();
    } catch (const SqliteError& e) {
      if (e.code() != SQLITE_CONSTRAINT_PRIMARYKEY) throw;
      throw std::invalid_argument("create_run: task '" + std::string(run.task_names[position]) +
                                  "' is listed twice in run '" + std::string(run.run_id) + "'");
    }
  }
}

}  // namespace

}  // namespace ork::plugins::sqlite
