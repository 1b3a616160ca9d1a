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

namespace ork::plugins::postgres {

// The params parsers, the dispatch and the JSON helpers both stores share.
using namespace storage;

namespace json = boost::json;

namespace {

extern const QueryAnswers<Connection> answers;  // this store's answer to each kind, at the end of this file

}  // namespace

std::string answer_query(Connection& db, ork_query_kind kind, std::string_view params_json) {
  return storage::answer_query(answers, db, kind, params_json, "postgres");
}

namespace {

// ---- rows to JSON ---------------------------------------------------------------

// One row of a Result, read by column like the sqlite plugin's statements.
class Row {
 public:
  Row(const Result& result, int row) : result_(result), row_(row) {}
  std::string_view text(int column) const { return result_.text(row_, column); }
  std::optional<std::string_view> optional_text(int column) const { return result_.optional_text(row_, column); }
  std::int64_t integer(int column) const { return result_.integer(row_, column); }
  std::optional<std::int64_t> optional_integer(int column) const { return result_.optional_integer(row_, column); }
  std::string bytes(int column) const { return result_.bytes(row_, column); }

 private:
  const Result& result_;
  int row_;
};

// Builds the parameter list of a statement whose filters vary; each
// combination is its own prepared statement.
class Bindings {
 public:
  std::string add(Param param) {
    params_.push_back(std::move(param));
    return "$" + std::to_string(params_.size());
  }
  const std::vector<Param>& params() const { return params_; }

 private:
  std::vector<Param> params_;
};

json::object task_counts(Connection& db, std::string_view run_id);

// A row selected with `run_columns`, as the RUN object of the contract.
json::object run_object(Connection& db, const Row& row) {
  json::object run = run_fields(row);
  run["task_counts"] = task_counts(db, row.text(0));
  return run;
}

json::object task_counts(Connection& db, std::string_view run_id) {
  const Result counts =
      db.exec("SELECT status, count(*) FROM tasks WHERE run_id = $1 GROUP BY status ORDER BY status", {run_id});
  json::object result;
  for (int i = 0; i < counts.rows(); ++i) result[valid_utf8(counts.text(i, 0))] = counts.integer(i, 1);
  return result;
}

// ---- LIST_RUNS --------------------------------------------------------------------

json::object list_runs(Connection& db, const ListRunsParams& params) {
  Bindings bind;
  std::string sql = "SELECT " + std::string(run_columns) + " FROM runs WHERE true";
  if (params.workflow) sql += " AND workflow_name = " + bind.add(*params.workflow);
  if (params.status) sql += " AND status = " + bind.add(*params.status);
  if (params.cursor) {
    sql += " AND (created_at, id) < (" + bind.add(params.cursor->created_at) + "::bigint, ";
    sql += bind.add(params.cursor->run_id) + "::text)";
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + bind.add(params.limit + 1);  // one more: is there a next page?

  const Result select = db.exec(sql, bind.params());
  int row = -1;
  return page(
      "runs", params.limit, [&] { return ++row < select.rows(); }, [&] { return run_object(db, Row(select, row)); },
      cursor_after_run);
}

// ---- GET_RUN ----------------------------------------------------------------------

std::string resolve_run_id(Connection& db, std::string_view id_or_prefix);
json::object run_tasks(Connection& db, std::string_view run_id);
json::array run_attempts(Connection& db, std::string_view run_id);

json::object get_run(Connection& db, const GetRunParams& params) {
  const std::string run_id = resolve_run_id(db, params.run_id);
  const Result select = db.exec("SELECT " + std::string(run_columns) + " FROM runs WHERE id = $1", {run_id});
  if (select.rows() == 0) throw ork::plugin::NotFound("no run '" + run_id + "'");
  json::object run = run_object(db, Row(select, 0));
  run["tasks"] = run_tasks(db, run_id);
  run["attempts"] = run_attempts(db, run_id);
  return run;
}


// The run whose id is `id_or_prefix`, or else the only one starting with it
// (like an abbreviated git commit).
std::string resolve_run_id(Connection& db, std::string_view id_or_prefix) {
  {
    const Result exact = db.exec("SELECT id FROM runs WHERE id = $1", {id_or_prefix});
    if (exact.rows() > 0) return std::string(exact.text(0, 0));
  }
  // A range scan on the primary key (byte order: the column is COLLATE "C");
  // LIKE would need escaping.
  const std::optional<std::string> upper = byte_after_prefix(id_or_prefix);
  const std::string limit = " ORDER BY id LIMIT " + std::to_string(storage::ambiguous_prefix_listed + 1);
  const Result matches =
      upper ? db.exec("SELECT id FROM runs WHERE id >= $1 AND id < $2 AND starts_with(id, $1)" + limit,
                      {id_or_prefix, *upper})
            : db.exec("SELECT id FROM runs WHERE id >= $1 AND starts_with(id, $1)" + limit, {id_or_prefix});
  if (matches.rows() == 0) throw ork::plugin::NotFound("no run '" + valid_utf8(id_or_prefix) + "'");
  if (matches.rows() > 1) {
    std::vector<std::string> ids;
    for (int row = 0; row < matches.rows(); ++row) ids.emplace_back(matches.text(row, 0));
    throw ork::plugin::NotFound(storage::ambiguous_run_id_message(id_or_prefix, ids));
  }
  return std::string(matches.text(0, 0));
}

json::object run_tasks(Connection& db, std::string_view run_id) {
  const Result select = db.exec(
      "SELECT name, status, attempts, output_json, error, started_at, finished_at, next_attempt_at "
      "FROM tasks WHERE run_id = $1 ORDER BY position",
      {run_id});
  json::object tasks;
  for (int i = 0; i < select.rows(); ++i) {
    const Row row(select, i);
    tasks[valid_utf8(row.text(0))] = task_object(row);
  }
  return tasks;
}

json::array run_attempts(Connection& db, std::string_view run_id) {
  const Result select = db.exec(
      "SELECT task, attempt, status, started_at, finished_at, output_json, error "
      "FROM attempts WHERE run_id = $1 ORDER BY task, attempt",
      {run_id});
  json::array attempts;
  for (int i = 0; i < select.rows(); ++i) {
    const Row row(select, i);
    attempts.push_back(attempt_object(row));
  }
  return attempts;
}

// ---- LOGS -------------------------------------------------------------------------

json::object logs(Connection& db, const LogsParams& params) {
  const std::string run_id = resolve_run_id(db, params.run_id);
  Bindings bind;
  std::string sql = "SELECT id, task, attempt, stream, at, line FROM logs WHERE run_id = " + bind.add(run_id);
  if (params.task) sql += " AND task = " + bind.add(*params.task);
  if (params.attempt) sql += " AND attempt = " + bind.add(*params.attempt) + "::integer";
  sql += " AND id > " + bind.add(params.after_id) + "::bigint ORDER BY id LIMIT " + bind.add(params.limit + 1);

  const Result select = db.exec(sql, bind.params());
  int row = -1;
  return page(
      "lines", params.limit, [&] { return ++row < select.rows(); },
      [&] {
        const Row current(select, row);
        return log_line_object(current, std::string_view(current.bytes(5)));
      },
      cursor_after_line);
}

// ---- EVENTS -----------------------------------------------------------------------

json::object events(Connection& db, const EventsParams& params) {
  const Result select = db.exec(
      "SELECT seq, run_id, task, kind, status, at FROM events WHERE seq > $1::bigint ORDER BY seq LIMIT $2",
      {params.after_seq, params.limit});
  json::array found;
  std::int64_t last_seq = 0;
  for (int i = 0; i < select.rows(); ++i) {
    const Row row(select, i);
    last_seq = row.integer(0);
    found.push_back(event_object(row));
  }
  if (found.empty()) last_seq = db.exec("SELECT coalesce(max(seq), 0) FROM events").integer(0, 0);
  return json::object{{"events", std::move(found)}, {"last_seq", last_seq}};
}

// ---- workflows --------------------------------------------------------------------

// "Latest" is the version saved last, i.e. the highest id of that name.
json::object list_workflows(Connection& db) {
  const Result select = db.exec(
      "SELECT name, id, content_hash, file, created_at FROM workflow_versions AS w "
      "WHERE id = (SELECT max(id) FROM workflow_versions WHERE name = w.name) ORDER BY name");
  json::array workflows;
  for (int i = 0; i < select.rows(); ++i) {
    workflows.push_back(workflow_summary_object(Row(select, i)));
  }
  return json::object{{"workflows", std::move(workflows)}};
}

json::object get_workflow(Connection& db, const GetWorkflowParams& params) {
  const std::string columns = "SELECT " + std::string(workflow_version_columns) + " ";
  const Result select =
      params.version_id
          ? db.exec(columns + "FROM workflow_versions WHERE id = $1::bigint", {*params.version_id})
          : db.exec(columns + "FROM workflow_versions WHERE name = $1 ORDER BY id DESC LIMIT 1", {*params.name});
  if (select.rows() == 0) {
    throw ork::plugin::NotFound(params.version_id ? "no workflow version " + std::to_string(*params.version_id)
                                                  : "no workflow named '" + valid_utf8(*params.name) + "'");
  }
  return workflow_version_object(Row(select, 0));
}

// ---- API 1.1: settings and orphaned runs ------------------------------------------

json::object workflow_settings(Connection& db, const WorkflowSettingsParams& params) {
  const Result select =
      db.exec("SELECT key, value_json FROM workflow_settings WHERE workflow = $1 ORDER BY key", {params.workflow});
  json::object settings;
  for (int i = 0; i < select.rows(); ++i) settings[valid_utf8(select.text(i, 0))] = embedded_json(select.text(i, 1));
  return json::object{{"settings", std::move(settings)}};
}

// Runs still `running` whose owner stopped renewing its lease; a run without
// a lease has no live owner either.
json::object orphaned_runs(Connection& db, const OrphanedRunsParams& params) {
  const Result select = db.exec("SELECT " + std::string(run_columns) +
                                    " FROM runs WHERE status = 'running' AND coalesce(lease_expires_at, 0) < $1 "
                                    "ORDER BY created_at, id",
                                {params.now});
  json::array runs;
  for (int i = 0; i < select.rows(); ++i) runs.push_back(run_object(db, Row(select, i)));
  return json::object{{"runs", std::move(runs)}};
}

// ---- API 1.3: the attempt queue and its workers -----------------------------------

json::object queued_attempt(Connection& db, const QueuedAttemptParams& params) {
  const Result select =
      db.exec("SELECT id, status, worker, outcome, output_json, error FROM queue WHERE id = $1", {params.id});
  if (select.rows() == 0) throw ork::plugin::NotFound("no queued attempt with id " + std::to_string(params.id));
  const Row row(select, 0);
  return queued_attempt_object(row);
}

json::object workers(Connection& db, const WorkersParams& params) {
  const Result select = db.exec(
      "SELECT w.name, w.info_json, w.last_heartbeat, (w.lease_expires_at >= $1)::int, "
      "(SELECT count(*) FROM queue q WHERE q.worker = w.name AND q.status = 'claimed') "
      "FROM workers w ORDER BY w.name",
      {params.now});
  json::array workers;
  for (int i = 0; i < select.rows(); ++i) {
    const Row row(select, i);
    workers.push_back(worker_object(row));
  }
  return json::object{{"workers", std::move(workers)}};
}

const QueryAnswers<Connection> answers{&list_runs,    &get_run,           &logs,          &events,
                                       &list_workflows, &get_workflow,    &workflow_settings, &orphaned_runs,
                                       &queued_attempt, &workers};

}  // namespace

}  // namespace ork::plugins::postgres
