#include "queries.hpp"

#include <ork/plugin.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include "ork_storage/json_text.hpp"
#include "ork_storage/query_dispatch.hpp"
#include "ork_storage/query_params.hpp"
#include "ork_storage/row_json.hpp"

namespace ork::plugins::sqlite {

// The params parsers, the dispatch and the JSON helpers both stores share.
using namespace storage;

namespace json = boost::json;

namespace {

extern const QueryAnswers<Connection> answers;  // this store's answer to each kind, at the end of this file

}  // namespace

std::string answer_query(Connection& db, ork_query_kind kind, std::string_view params_json) {
  return storage::answer_query(answers, db, kind, params_json, "sqlite");
}

namespace {

// ---- rows to JSON ---------------------------------------------------------------

json::object task_counts(Connection& db, std::string_view run_id);

// A row selected with `run_columns`, as the RUN object of the contract.
json::object run_object(Connection& db, const Statement& row) {
  json::object run = run_fields(row);
  run["task_counts"] = task_counts(db, row.text(0));
  return run;
}

json::object task_counts(Connection& db, std::string_view run_id) {
  CachedStatement counts =
      db.statement("SELECT status, count(*) FROM tasks WHERE run_id = ?1 GROUP BY status ORDER BY status");
  counts->bind_all(run_id);
  json::object result;
  while (counts->step()) result[valid_utf8(counts->text(0))] = counts->integer(1);
  return result;
}

// ---- LIST_RUNS --------------------------------------------------------------------

json::object list_runs(Connection& db, const ListRunsParams& params) {
  // Only the filters in use appear in the SQL, so SQLite can pick the index
  // that serves them; each combination is prepared once and cached.
  std::string sql = "SELECT " + std::string(run_columns) + " FROM runs WHERE 1";
  if (params.workflow) sql += " AND workflow_name = ?1";
  if (params.status) sql += " AND status = ?2";
  if (params.cursor) sql += " AND (created_at, id) < (?3, ?4)";
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?5";

  CachedStatement select = db.statement(sql);
  select->bind_all(params.workflow, params.status,
                   params.cursor ? std::optional<std::int64_t>(params.cursor->created_at) : std::nullopt,
                   params.cursor ? std::optional<std::string_view>(params.cursor->run_id) : std::nullopt,
                   params.limit + 1);  // one more tells whether another page follows
  return page(
      "runs", params.limit, [&] { return select->step(); }, [&] { return run_object(db, *select); }, cursor_after_run);
}

// ---- GET_RUN ----------------------------------------------------------------------

std::string resolve_run_id(Connection& db, std::string_view id_or_prefix);
json::object run_tasks(Connection& db, std::string_view run_id);
json::array run_attempts(Connection& db, std::string_view run_id);

json::object get_run(Connection& db, const GetRunParams& params) {
  const std::string run_id = resolve_run_id(db, params.run_id);
  CachedStatement select = db.statement("SELECT " + std::string(run_columns) + " FROM runs WHERE id = ?1");
  select->bind_all(run_id);
  if (!select->step()) throw ork::plugin::NotFound("no run '" + run_id + "'");
  json::object run = run_object(db, *select);
  run["tasks"] = run_tasks(db, run_id);
  run["attempts"] = run_attempts(db, run_id);
  return run;
}


// The run whose id is `id_or_prefix`, or else the only one starting with it
// (like an abbreviated git commit).
std::string resolve_run_id(Connection& db, std::string_view id_or_prefix) {
  {
    CachedStatement exact = db.statement("SELECT id FROM runs WHERE id = ?1");
    exact->bind_all(id_or_prefix);
    if (exact->step()) return std::string(exact->text(0));
  }
  // A range scan on the primary key; LIKE/GLOB would need escaping.
  const std::optional<std::string> upper = byte_after_prefix(id_or_prefix);
  const std::string limit = " ORDER BY id LIMIT " + std::to_string(storage::ambiguous_prefix_listed + 1);
  CachedStatement matches = db.statement(upper ? "SELECT id FROM runs WHERE id >= ?1 AND id < ?2" + limit
                                               : "SELECT id FROM runs WHERE id >= ?1" + limit);
  if (upper) {
    matches->bind_all(id_or_prefix, *upper);
  } else {
    matches->bind_all(id_or_prefix);
  }
  std::vector<std::string> ids;
  while (matches->step()) ids.emplace_back(matches->text(0));
  if (ids.empty()) throw ork::plugin::NotFound("no run '" + valid_utf8(id_or_prefix) + "'");
  if (ids.size() > 1) throw ork::plugin::NotFound(storage::ambiguous_run_id_message(id_or_prefix, ids));
  return ids.front();
}

json::object run_tasks(Connection& db, std::string_view run_id) {
  CachedStatement select = db.statement(
      "SELECT name, status, attempts, output_json, error, started_at, finished_at, next_attempt_at "
      "FROM tasks WHERE run_id = ?1 ORDER BY position");
  select->bind_all(run_id);
  json::object tasks;
  while (select->step()) {
    tasks[valid_utf8(select->text(0))] = task_object(*select);
  }
  return tasks;
}

json::array run_attempts(Connection& db, std::string_view run_id) {
  CachedStatement select = db.statement(
      "SELECT task, attempt, status, started_at, finished_at, output_json, error "
      "FROM attempts WHERE run_id = ?1 ORDER BY task, attempt");
  select->bind_all(run_id);
  json::array attempts;
  while (select->step()) {
    attempts.push_back(attempt_object(*select));
  }
  return attempts;
}

// ---- LOGS -------------------------------------------------------------------------

json::object logs(Connection& db, const LogsParams& params) {
  const std::string run_id = resolve_run_id(db, params.run_id);
  std::string sql = "SELECT id, task, attempt, stream, at, line FROM logs WHERE run_id = ?1";
  if (params.task) sql += " AND task = ?2";
  if (params.attempt) sql += " AND attempt = ?3";
  sql += " AND id > ?4 ORDER BY id LIMIT ?5";

  CachedStatement select = db.statement(sql);
  select->bind_all(run_id, params.task, params.attempt, params.after_id, params.limit + 1);
  return page(
      "lines", params.limit, [&] { return select->step(); }, [&] { return log_line_object(*select, select->text(5)); },
      cursor_after_line);
}

// ---- EVENTS -----------------------------------------------------------------------

json::object events(Connection& db, const EventsParams& params) {
  CachedStatement select =
      db.statement("SELECT seq, run_id, task, kind, status, at FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  select->bind_all(params.after_seq, params.limit);
  json::array found;
  std::int64_t last_seq = 0;
  while (select->step()) {
    last_seq = select->integer(0);
    found.push_back(event_object(*select));
  }
  if (found.empty()) {
    CachedStatement max = db.statement("SELECT coalesce(max(seq), 0) FROM events");
    max->step();
    last_seq = max->integer(0);
  }
  return json::object{{"events", std::move(found)}, {"last_seq", last_seq}};
}

// ---- workflows --------------------------------------------------------------------

// "Latest" is the version saved last, i.e. the highest id of that name.
json::object list_workflows(Connection& db) {
  CachedStatement select = db.statement(
      "SELECT name, id, content_hash, file, created_at FROM workflow_versions AS w "
      "WHERE id = (SELECT max(id) FROM workflow_versions WHERE name = w.name) ORDER BY name");
  json::array workflows;
  while (select->step()) workflows.push_back(workflow_summary_object(*select));
  return json::object{{"workflows", std::move(workflows)}};
}

json::object get_workflow(Connection& db, const GetWorkflowParams& params) {
  const std::string columns = "SELECT " + std::string(workflow_version_columns) + " ";
  CachedStatement select =
      params.version_id ? db.statement(columns + "FROM workflow_versions WHERE id = ?1")
                        : db.statement(columns + "FROM workflow_versions WHERE name = ?1 ORDER BY id DESC LIMIT 1");
  if (params.version_id) {
    select->bind_all(*params.version_id);
  } else {
    select->bind_all(*params.name);
  }
  if (!select->step()) {
    throw ork::plugin::NotFound(params.version_id ? "no workflow version " + std::to_string(*params.version_id)
                                                  : "no workflow named '" + valid_utf8(*params.name) + "'");
  }
  return workflow_version_object(*select);
}

// ---- API 1.1: settings and orphaned runs ------------------------------------------

json::object workflow_settings(Connection& db, const WorkflowSettingsParams& params) {
  CachedStatement select =
      db.statement("SELECT key, value_json FROM workflow_settings WHERE workflow = ?1 ORDER BY key");
  select->bind_all(params.workflow);
  json::object settings;
  while (select->step()) settings[valid_utf8(select->text(0))] = embedded_json(select->text(1));
  return json::object{{"settings", std::move(settings)}};
}

// Runs still `running` whose owner stopped renewing its lease; a run without
// a lease (written before leases existed) has no live owner either.
json::object orphaned_runs(Connection& db, const OrphanedRunsParams& params) {
  CachedStatement select = db.statement("SELECT " + std::string(run_columns) +
                                        " FROM runs WHERE status = 'running' AND coalesce(lease_expires_at, 0) < ?1 "
                                        "ORDER BY created_at, id");
  select->bind_all(params.now);
  json::array runs;
  while (select->step()) runs.push_back(run_object(db, *select));
  return json::object{{"runs", std::move(runs)}};
}

// ---- API 1.3: the attempt queue and its workers -----------------------------------

json::object queued_attempt(Connection& db, const QueuedAttemptParams& params) {
  CachedStatement select =
      db.statement("SELECT id, status, worker, outcome, output_json, error FROM queue WHERE id = ?1");
  select->bind_all(params.id);
  if (!select->step()) throw ork::plugin::NotFound("no queued attempt with id " + std::to_string(params.id));
  return queued_attempt_object(*select);
}

json::object workers(Connection& db, const WorkersParams& params) {
  CachedStatement select = db.statement(
      "SELECT w.name, w.info_json, w.last_heartbeat, w.lease_expires_at >= ?1, "
      "(SELECT count(*) FROM queue q WHERE q.worker = w.name AND q.status = 'claimed') "
      "FROM workers w ORDER BY w.name");
  select->bind_all(params.now);
  json::array workers;
  while (select->step()) {
    workers.push_back(worker_object(*select));
  }
  return json::object{{"workers", std::move(workers)}};
}

const QueryAnswers<Connection> answers{&list_runs,    &get_run,           &logs,          &events,
                                       &list_workflows, &get_workflow,    &workflow_settings, &orphaned_runs,
                                       &queued_attempt, &workers};

}  // namespace

}  // namespace ork::plugins::sqlite
