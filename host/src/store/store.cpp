#include "store/store.hpp"

#include "core/error.hpp"
#include "core/output_depth.hpp"
#include "store/store_answers.hpp"
#include "store/url_redaction.hpp"

#include <ork/limits.h>
#include <ork/storage_queries.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <thread>

namespace ork::host {

using namespace store_answers;

namespace {

std::vector<ork_task_update> task_updates(std::span<const TaskTransition> transitions);
std::vector<ork_log_line> log_lines(std::span<const NewLogLine> lines);

std::string scheme_of(const std::string& url) {
  auto pos = url.find(':');
  if (pos == std::string::npos || pos == 1 /* windows drive */) return "file";
  std::string scheme = url.substr(0, pos);
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return "file";
  }
  if (scheme == "postgres") return "postgresql";
  return scheme;
}

RunRow parse_run(const boost::json::object& o) {
  RunRow run;
  run.run_id = string_or_empty(o, "run_id");
  run.workflow = string_or_empty(o, "workflow");
  run.workflow_version_id = int_or_zero(o, "workflow_version_id");
  run.status = string_or_empty(o, "status");
  run.inputs = value_or_null(o, "inputs");
  run.trigger = string_or_empty(o, "trigger");
  run.owner = string_or_empty(o, "owner");
  run.idempotency_key = opt_string(o, "idempotency_key");
  run.created_at = int_or_zero(o, "created_at");
  run.started_at = int_or_zero(o, "started_at");
  run.finished_at = int_or_zero(o, "finished_at");
  run.error = opt_string(o, "error");
  if (auto* counts = o.if_contains("task_counts"); counts && counts->is_object()) {
    for (const auto& [status, n] : counts->as_object()) run.task_counts[std::string(status)] = static_cast<int>(n.to_number<std::int64_t>());
  }
  return run;
}

TaskStateRow parse_task(const boost::json::object& o) {
  TaskStateRow t;
  t.status = string_or_empty(o, "status");
  t.attempts = static_cast<int>(int_or_zero(o, "attempts"));
  t.output = value_or_null(o, "output");
  t.error = opt_string(o, "error");
  t.started_at = int_or_zero(o, "started_at");
  t.finished_at = int_or_zero(o, "finished_at");
  t.next_attempt_at = int_or_zero(o, "next_attempt_at");
  return t;
}

AttemptRow parse_attempt(const boost::json::object& o) {
  AttemptRow a;
  a.task = string_or_empty(o, "task");
  a.attempt = static_cast<int>(int_or_zero(o, "attempt"));
  a.status = string_or_empty(o, "status");
  a.started_at = int_or_zero(o, "started_at");
  a.finished_at = int_or_zero(o, "finished_at");
  a.output = value_or_null(o, "output");
  a.error = opt_string(o, "error");
  return a;
}

}  // namespace

Store Store::open(const PluginRegistry& plugins, const std::string& url) {
  std::string scheme = scheme_of(url);
  // Only the plugin sees the password; every message and url() show it as ***.
  const std::string shown = redacted_url(url);
  const LoadedPlugin* plugin = plugins.storage_for_scheme(scheme);
  if (!plugin) {
    std::string known;
    for (const auto& s : plugins.storage_schemes()) known += (known.empty() ? "" : ", ") + s;
    throw Error(ErrorKind::store, "no storage plugin serves '" + scheme + "' URLs (database " + shown +
                                        "); loaded storage schemes: " + (known.empty() ? "none" : known) +
                                        " — see `ork plugins`");
  }
  ork_error err;
  void* handle = nullptr;
  if (plugin->storage->open(plugin->state, str(url), &handle, &err) != ORK_STATUS_OK || !handle) {
    throw Error(ErrorKind::store,
                "cannot open database " + shown + ": " + without_url_password(err.message, url));
  }
  return Store(*plugin, handle, shown);
}

Store::Store(Store&& other) noexcept : plugin_(other.plugin_), handle_(other.handle_), url_(std::move(other.url_)) {
  other.handle_ = nullptr;
}

Store::~Store() {
  if (handle_) plugin_->storage->close(handle_);
}

void Store::check(ork_status status, const ork_error& err, std::string_view what) {
  if (status == ORK_STATUS_OK) return;
  ErrorKind kind = status == ORK_STATUS_NOT_FOUND ? ErrorKind::not_found : ErrorKind::store;
  std::string message = err.message.empty() ? "status " + std::to_string(status) : err.message;
  if (kind == ErrorKind::not_found) throw Error(kind, message);
  throw Error(kind, std::string(what) + " failed in " + url_ + ": " + message);
}

std::int64_t Store::save_workflow(std::string_view name, std::string_view content_hash, std::string_view file,
                                  std::string_view source, std::string_view spec_json, Millis created_at) {
  ork_workflow_record record{ORK_STRUCT_SIZE(ork_workflow_record), str(name), str(content_hash), str(file),
                             str(source), str(spec_json), created_at};
  std::int64_t id = 0;
  ork_error err;
  check(plugin_->storage->save_workflow(handle_, &record, &id, &err), err, "saving the workflow");
  return id;
}

CreatedRunId Store::create_run(const NewRun& run) {
  std::vector<ork_str> names;
  names.reserve(run.task_names.size());
  for (const auto& n : run.task_names) names.push_back(str(n));
  ork_run_record record{ORK_STRUCT_SIZE(ork_run_record), str(run.run_id),        run.workflow_version_id,
                        str(run.workflow_name),         str(run.inputs_json),   str(run.idempotency_key),
                        str(run.trigger),               str(run.owner),         run.created_at,
                        names.data(),                   names.size()};
  CreatedRunId created;
  ork_str_sink sink{ORK_STRUCT_SIZE(ork_str_sink), &created.run_id, &write_string};
  int existing = 0;
  ork_error err;
  check(plugin_->storage->create_run(handle_, &record, &sink, &existing, &err), err, "creating the run");
  created.existing = existing != 0;
  return created;
}

void Store::update_task(const TaskTransition& t) {
  ork_task_update update{ORK_STRUCT_SIZE(ork_task_update), str(t.run_id), str(t.task), t.attempt,
                         str(t.status), t.at, str(t.output_json), str(t.error), t.next_attempt_at};
  ork_error err;
  check(plugin_->storage->update_task(handle_, &update, &err), err, "recording task state");
}

void Store::update_tasks(std::span<const TaskTransition> transitions) {
  const ork_storage_vtable* t = plugin_->storage;
  if (!t->update_tasks) {
    for (const TaskTransition& transition : transitions) update_task(transition);
    return;
  }
  const std::vector<ork_task_update> updates = task_updates(transitions);
  ork_error err;
  check(t->update_tasks(handle_, updates.data(), updates.size(), &err), err, "recording task state");
}

void Store::update_run(std::string_view run_id, std::string_view status, Millis at, std::string_view error) {
  ork_error err;
  check(plugin_->storage->update_run(handle_, str(run_id), str(status), at, str(error), &err), err,
        "recording run state");
}

void Store::append_logs(std::span<const NewLogLine> lines) {
  if (lines.empty()) return;
  const std::vector<ork_log_line> converted = log_lines(lines);
  ork_error err;
  check(plugin_->storage->append_logs(handle_, converted.data(), converted.size(), &err), err, "recording logs");
}

void Store::append_logs_and_update_tasks(std::span<const NewLogLine> lines,
                                         std::span<const TaskTransition> transitions) {
  const ork_storage_vtable* t = plugin_->storage;
  if (lines.empty() || transitions.empty() || !t->append_logs_and_update_tasks) {
    append_logs(lines);
    if (!transitions.empty()) update_tasks(transitions);
    return;
  }
  const std::vector<ork_log_line> converted = log_lines(lines);
  const std::vector<ork_task_update> updates = task_updates(transitions);
  ork_error err;
  check(t->append_logs_and_update_tasks(handle_, converted.data(), converted.size(), updates.data(), updates.size(),
                                        &err),
        err, "recording logs and task state");
}

namespace {

// The C views of `transitions` and `lines`, borrowing their strings.
std::vector<ork_task_update> task_updates(std::span<const TaskTransition> transitions) {
  std::vector<ork_task_update> updates;
  updates.reserve(transitions.size());
  for (const TaskTransition& u : transitions) {
    updates.push_back(ork_task_update{ORK_STRUCT_SIZE(ork_task_update), str(u.run_id), str(u.task), u.attempt,
                                      str(u.status), u.at, str(u.output_json), str(u.error), u.next_attempt_at});
  }
  return updates;
}

std::vector<ork_log_line> log_lines(std::span<const NewLogLine> lines) {
  std::vector<ork_log_line> converted;
  converted.reserve(lines.size());
  for (const NewLogLine& l : lines) {
    converted.push_back(ork_log_line{ORK_STRUCT_SIZE(ork_log_line), str(l.run_id), str(l.task), l.attempt, l.stream,
                                     l.at, str(l.line)});
  }
  return converted;
}

}  // namespace

boost::json::value Store::query(ork_query_kind kind, const boost::json::object& params) {
  // Every param the host sends is one ork/storage_queries.h lists for the kind,
  // so the table stays the one place that says what a store must accept.
  const ork_query_schema* schema = ork_query_schema_of(kind);
  for (const auto& entry : params) {
    if (!schema || !ork_query_param_of(schema, entry.key().data(), entry.key().size())) {
      throw Error(ErrorKind::internal, "query " + std::to_string(kind) + " sent param '" + std::string(entry.key()) +
                                           "', which ork/storage_queries.h does not list");
    }
  }
  std::string params_json = boost::json::serialize(params);
  std::string answer;
  ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &write_string};
  ork_error err;
  check(plugin_->storage->query(handle_, kind, str(params_json), &sink, &err), err, "reading state");
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = answer_max_depth;
  boost::json::value v = boost::json::parse(answer, ec, {}, options);
  if (ec) throw Error(ErrorKind::store, "storage plugin '" + plugin_->name + "' answered invalid JSON: " + ec.message());
  return v;
}

const TaskStateRow* RunDetail::find_task(std::string_view name) const {
  for (const auto& [task, state] : tasks) {
    if (task == name) return &state;
  }
  return nullptr;
}

RunPage Store::list_runs(const RunFilter& filter) {
  boost::json::object params;
  if (filter.workflow) params["workflow"] = *filter.workflow;
  if (filter.status) params["status"] = *filter.status;
  if (filter.cursor) params["cursor"] = *filter.cursor;
  params["limit"] = filter.limit;
  boost::json::value v = query(ORK_QUERY_LIST_RUNS, params);
  RunPage page;
  const auto& o = v.as_object();
  for (const auto& r : o.at("runs").as_array()) page.runs.push_back(parse_run(r.as_object()));
  page.next_cursor = opt_string(o, "next_cursor");
  return page;
}

std::optional<InstanceName> parse_instance_name(std::string_view task) {
  if (task.size() < 4 || task.back() != ']') return std::nullopt;
  const std::size_t open = task.rfind('[');
  if (open == std::string_view::npos || open == 0 || open + 2 > task.size() - 1) return std::nullopt;
  std::size_t index = 0;
  for (std::size_t i = open + 1; i + 1 < task.size(); ++i) {
    if (task[i] < '0' || task[i] > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(task[i] - '0');
  }
  return InstanceName{std::string(task.substr(0, open)), index};
}

namespace {

// The stores keep an instance at its mapped task's position, in no set order
// among its siblings: put them after it, by index.
void order_instances(std::vector<std::pair<std::string, TaskStateRow>>& tasks) {
  std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>, std::less<>> instances;  // parent -> (index, row)
  for (std::size_t row = 0; row < tasks.size(); ++row) {
    if (auto instance = parse_instance_name(tasks[row].first)) instances[instance->parent].emplace_back(instance->index, row);
  }
  if (instances.empty()) return;
  std::vector<std::pair<std::string, TaskStateRow>> ordered;
  ordered.reserve(tasks.size());
  std::vector<bool> placed(tasks.size(), false);
  for (std::size_t row = 0; row < tasks.size(); ++row) {
    if (placed[row] || parse_instance_name(tasks[row].first)) continue;
    ordered.push_back(std::move(tasks[row]));
    placed[row] = true;
    auto found = instances.find(ordered.back().first);
    if (found == instances.end()) continue;
    std::sort(found->second.begin(), found->second.end());
    for (const auto& [index, instance_row] : found->second) {
      ordered.push_back(std::move(tasks[instance_row]));
      placed[instance_row] = true;
    }
  }
  for (std::size_t row = 0; row < tasks.size(); ++row) {
    if (!placed[row]) ordered.push_back(std::move(tasks[row]));  // an instance whose parent row is missing
  }
  tasks = std::move(ordered);
}

}  // namespace

RunDetail Store::get_run(std::string_view run_id) {
  boost::json::value v = query(ORK_QUERY_GET_RUN, {{"run_id", run_id}});
  const auto& o = v.as_object();
  RunDetail detail;
  detail.run = parse_run(o);
  if (auto* tasks = o.if_contains("tasks"); tasks && tasks->is_object()) {
    for (const auto& [name, t] : tasks->as_object()) detail.tasks.emplace_back(std::string(name), parse_task(t.as_object()));
  }
  order_instances(detail.tasks);
  if (auto* attempts = o.if_contains("attempts"); attempts && attempts->is_array()) {
    for (const auto& a : attempts->as_array()) detail.attempts.push_back(parse_attempt(a.as_object()));
  }
  return detail;
}

LogPage Store::logs(const LogFilter& filter) {
  boost::json::object params{{"run_id", filter.run_id}, {"limit", filter.limit}};
  if (filter.task) params["task"] = *filter.task;
  if (filter.attempt) params["attempt"] = *filter.attempt;
  if (filter.cursor) params["cursor"] = *filter.cursor;
  boost::json::value v = query(ORK_QUERY_LOGS, params);
  const auto& o = v.as_object();
  LogPage page;
  for (const auto& l : o.at("lines").as_array()) {
    const auto& lo = l.as_object();
    page.lines.push_back(StoredLogLine{int_or_zero(lo, "id"), string_or_empty(lo, "task"),
                                       static_cast<int>(int_or_zero(lo, "attempt")), string_or_empty(lo, "stream"),
                                       int_or_zero(lo, "at"), string_or_empty(lo, "line")});
  }
  if (auto* c = o.if_contains("next_cursor"); c && !c->is_null()) page.next_cursor = int_or_zero(o, "next_cursor");
  return page;
}

EventPage Store::events(std::int64_t after, int limit) {
  boost::json::value v = query(ORK_QUERY_EVENTS, {{"after", after}, {"limit", limit}});
  const auto& o = v.as_object();
  EventPage page;
  for (const auto& e : o.at("events").as_array()) {
    const auto& eo = e.as_object();
    page.events.push_back(StoreEvent{int_or_zero(eo, "seq"), string_or_empty(eo, "run_id"), opt_string(eo, "task"),
                                     string_or_empty(eo, "kind"), opt_string(eo, "status"), int_or_zero(eo, "at")});
  }
  page.last_seq = int_or_zero(o, "last_seq");
  return page;
}

namespace {

WorkflowVersionRow parse_workflow(const boost::json::object& o) {
  WorkflowVersionRow w;
  w.version_id = int_or_zero(o, "version_id");
  w.name = string_or_empty(o, "name");
  w.content_hash = string_or_empty(o, "content_hash");
  w.file = string_or_empty(o, "file");
  w.created_at = int_or_zero(o, "created_at");
  w.source = string_or_empty(o, "source");
  w.spec = value_or_null(o, "spec");
  return w;
}

}  // namespace

std::vector<WorkflowVersionRow> Store::list_workflows() {
  boost::json::value v = query(ORK_QUERY_LIST_WORKFLOWS, {});
  std::vector<WorkflowVersionRow> out;
  for (const auto& w : v.as_object().at("workflows").as_array()) out.push_back(parse_workflow(w.as_object()));
  return out;
}

WorkflowVersionRow Store::get_workflow(std::string_view name) {
  return parse_workflow(query(ORK_QUERY_GET_WORKFLOW, {{"name", name}}).as_object());
}

WorkflowVersionRow Store::get_workflow_version(std::int64_t version_id) {
  return parse_workflow(query(ORK_QUERY_GET_WORKFLOW, {{"version_id", version_id}}).as_object());
}

bool Store::supports_ownership() const {
  const ork_storage_vtable* t = plugin_->storage;
  return t->claim_run && t->renew_leases && t->request_cancel && t->set_workflow_setting;
}

void Store::require_ownership() const {
  if (!supports_ownership()) {
    throw Error(ErrorKind::store, "storage plugin '" + plugin_->name + "' predates plugin API 1.1 (run ownership); "
                                    "upgrade it");
  }
}

bool Store::claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner, Millis now,
                      std::int64_t lease_ms) {
  require_ownership();
  int claimed = 0;
  ork_error err;
  check(plugin_->storage->claim_run(handle_, str(run_id), str(owner), str(dead_owner), now, lease_ms, &claimed, &err),
        err,
        "claiming the run");
  return claimed != 0;
}

std::vector<std::string> Store::renew_leases(std::string_view owner, Millis now, std::int64_t lease_ms) {
  require_ownership();
  std::string answer;
  ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &write_string};
  ork_error err;
  check(plugin_->storage->renew_leases(handle_, str(owner), now, lease_ms, &sink, &err), err, "renewing leases");
  std::vector<std::string> cancel;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(answer, ec);
  if (ec || !v.is_object()) throw Error(ErrorKind::store, "storage plugin answered invalid JSON to renew_leases");
  if (auto* ids = v.as_object().if_contains("cancel_requested"); ids && ids->is_array()) {
    for (const auto& id : ids->as_array()) {
      if (id.is_string()) cancel.emplace_back(id.as_string());
    }
  }
  return cancel;
}

void Store::request_cancel(std::string_view run_id, Millis at) {
  require_ownership();
  ork_error err;
  check(plugin_->storage->request_cancel(handle_, str(run_id), at, &err), err, "requesting cancellation");
}

void Store::set_workflow_setting(std::string_view workflow, std::string_view key, const boost::json::value& value) {
  require_ownership();
  std::string json = boost::json::serialize(value);
  ork_error err;
  check(plugin_->storage->set_workflow_setting(handle_, str(workflow), str(key), str(json), &err), err,
        "saving a workflow setting");
}

boost::json::object Store::workflow_settings(std::string_view workflow) {
  boost::json::value v = query(ORK_QUERY_WORKFLOW_SETTINGS, {{"workflow", workflow}});
  if (auto* s = v.as_object().if_contains("settings"); s && s->is_object()) return s->as_object();
  return {};
}

std::vector<RunRow> Store::orphaned_runs(Millis now) {
  boost::json::value v = query(ORK_QUERY_ORPHANED_RUNS, {{"now", now}});
  std::vector<RunRow> runs;
  for (const auto& r : v.as_object().at("runs").as_array()) runs.push_back(parse_run(r.as_object()));
  return runs;
}

bool Store::supports_queue() const {
  const ork_storage_vtable* t = plugin_->storage;
  return t->enqueue_attempt && t->claim_attempt && t->complete_attempt && t->worker_heartbeat && t->cancel_attempt;
}

void Store::require_queue() const {
  if (!supports_queue()) {
    throw Error(ErrorKind::store, "storage plugin '" + plugin_->name + "' has no queue for ork worker (plugin API "
                                    "1.3); use a store that has one, e.g. --db postgresql://…");
  }
}

std::string database_url(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("ORK_DATABASE_URL"); env && *env) return env;
  return ".ork/ork.db";
}

std::string iso8601(Millis at) {
  if (at <= 0) return "";
  std::time_t seconds = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(at % 1000));
  return buf;
}

Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ork::host
