#include "serve/api_routes.hpp"

#include "store/json_views.hpp"
#include "core/error.hpp"
#include "http/api_redaction.hpp"
#include "http/graph_cache.hpp"
#include "http/static_assets.hpp"
#include "serve/api_json.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <set>

namespace ork::host {

namespace {

namespace json = boost::json;

// Handlers take the services by value (a struct of references) so each
// lambda owns what it needs.
ApiResponse health(const ApiRequest&);
ApiResponse list_workflows(ApiServices s, const ApiRequest&);
ApiResponse get_workflow(ApiServices s, const ApiRequest& req);
ApiResponse trigger_run(ApiServices s, const ApiRequest& req);
ApiResponse set_paused(ApiServices s, const ApiRequest& req, bool paused);
ApiResponse list_runs(ApiServices s, const ApiRequest& req);
ApiResponse get_run(ApiServices s, GraphCache& graphs, const ApiRequest& req);
ApiResponse cancel_run(ApiServices s, const ApiRequest& req);
ApiResponse rerun_run(ApiServices s, const ApiRequest& req);
ApiResponse task_logs(ApiServices s, const ApiRequest& req);
ApiResponse event_stream(ApiServices s, const ApiRequest& req);
ApiResponse openapi(const ApiRequest&);
Handler redacted(std::shared_ptr<const ApiRedactor> redact, bool stored_errors, Handler handler);

}  // namespace

Router make_api_router(ApiServices s) {
  Router router;
  auto redact = std::make_shared<const ApiRedactor>(s.catalog.directory(), std::getenv("PATH"));
  // Routes whose answers carry stored error text have it redacted too.
  auto add = [&router, redact](std::string method, std::string pattern, Handler handler, bool stored_errors = false) {
    router.add(std::move(method), std::move(pattern), redacted(redact, stored_errors, std::move(handler)));
  };
  add("GET", "/api/health", health);
  add("GET", "/api/workflows", [s](const ApiRequest& r) { return list_workflows(s, r); }, true);
  add("GET", "/api/workflows/{name}", [s](const ApiRequest& r) { return get_workflow(s, r); }, true);
  add("POST", "/api/workflows/{name}/runs", [s](const ApiRequest& r) { return trigger_run(s, r); });
  add("POST", "/api/workflows/{name}/pause", [s](const ApiRequest& r) { return set_paused(s, r, true); });
  add("POST", "/api/workflows/{name}/unpause", [s](const ApiRequest& r) { return set_paused(s, r, false); });
  add("GET", "/api/runs", [s](const ApiRequest& r) { return list_runs(s, r); }, true);
  auto graphs = std::make_shared<GraphCache>();
  add("GET", "/api/runs/{id}", [s, graphs](const ApiRequest& r) { return get_run(s, *graphs, r); }, true);
  add("POST", "/api/runs/{id}/cancel", [s](const ApiRequest& r) { return cancel_run(s, r); });
  add("POST", "/api/runs/{id}/rerun", [s](const ApiRequest& r) { return rerun_run(s, r); });
  add("GET", "/api/runs/{id}/tasks/{task}/logs", [s](const ApiRequest& r) { return task_logs(s, r); });
  add("GET", "/api/events", [s](const ApiRequest& r) { return event_stream(s, r); });
  add("GET", "/api/openapi.json", openapi);
  return router;
}

namespace {

const std::set<std::string> run_statuses{"pending", "running", "succeeded", "failed", "cancelled"};

// Errors meant for the client (HttpError, and the kinds http_server.cpp
// sends as 400/404) leave with their server paths and environment redacted;
// with `stored_errors`, so do the error fields of a JSON answer.
Handler redacted(std::shared_ptr<const ApiRedactor> redact, bool stored_errors, Handler handler) {
  return [redact, stored_errors, handler = std::move(handler)](const ApiRequest& request) {
    try {
      ApiResponse response = handler(request);
      if (stored_errors && !response.stream && response.content_type == "application/json") {
        json::value body = json::parse(response.body);
        redact->redact_errors(body);
        response.body = json::serialize(body);
      }
      return response;
    } catch (const HttpError& e) {
      throw HttpError(e.status(), (*redact)(e.what()));
    } catch (const Error& e) {
      switch (e.kind()) {
        case ErrorKind::not_found: throw HttpError(404, (*redact)(e.what()));
        case ErrorKind::usage:
        case ErrorKind::invalid_workflow: throw HttpError(400, (*redact)(e.what()));
        default: throw;  // logged in full, answered with a generic 500
      }
    }
  };
}

// ---- small readers of query parameters ------------------------------------

std::optional<std::int64_t> integer_param(const ApiRequest& req, const std::string& name, std::int64_t min,
                                          std::int64_t max) {
  std::optional<std::string> text = req.query_value(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw HttpError(400, "query parameter '" + name + "' must be an integer from " + std::to_string(min) + " to " +
                             std::to_string(max));
  }
  return value;
}

json::value optional_time(std::optional<Millis> at) { return at ? time_json(*at) : json::value(nullptr); }

// ---- workflows ------------------------------------------------------------

json::value last_run_json(Store& store, const std::string& workflow) {
  RunFilter filter;
  filter.workflow = workflow;
  filter.limit = 1;
  RunPage page = store.list_runs(filter);
  if (page.runs.empty()) return nullptr;
  const RunRow& run = page.runs.front();
  return json::object{{"run_id", run.run_id},
                      {"status", run.status},
                      {"created_at", time_json(run.created_at)},
                      {"finished_at", time_json(run.finished_at)}};
}

json::object workflow_summary_json(ApiServices s, const CatalogEntry& entry) {
  const CompiledWorkflow* wf = entry.workflow.get();
  return json::object{{"name", entry.name},
                      {"file", entry.file},
                      {"description", wf ? wf->description : ""},
                      {"ok", entry.errors.empty()},
                      {"compiled", wf != nullptr},
                      {"errors", errors_json(entry.errors)},
                      {"task_count", wf ? wf->tasks.size() : 0},
                      {"schedule", wf && !wf->schedule.empty() ? json::value(wf->schedule) : json::value(nullptr)},
                      {"timezone", entry.schedule ? json::value(entry.schedule->timezone_name()) : json::value(nullptr)},
                      {"paused", s.schedules.paused(entry.name)},
                      {"next_run_at", optional_time(s.schedules.next_run_at(entry.name))},
                      {"last_run", last_run_json(s.store, entry.name)}};
}

ApiResponse health(const ApiRequest&) {
  return ApiResponse::json(json::object{{"ok", true}, {"version", ORK_VERSION}});
}

ApiResponse list_workflows(ApiServices s, const ApiRequest&) {
  json::array workflows;
  for (const CatalogEntry& entry : s.catalog.entries()) workflows.push_back(workflow_summary_json(s, entry));
  return ApiResponse::json(json::object{{"workflows", std::move(workflows)}});
}

CatalogEntry served_workflow(ApiServices s, const std::string& name) {
  std::optional<CatalogEntry> entry = s.catalog.find(name);
  if (!entry) throw HttpError(404, "no workflow '" + name + "' is served (see GET /api/workflows)");
  return std::move(*entry);
}

ApiResponse get_workflow(ApiServices s, const ApiRequest& req) {
  CatalogEntry entry = served_workflow(s, req.param("name"));
  json::object out = workflow_summary_json(s, entry);
  json::array tasks;
  json::array inputs;
  if (entry.workflow) {
    for (const CompiledTask& task : entry.workflow->tasks) tasks.push_back(compiled_task_json(task));
    for (const WorkflowInput& in : entry.workflow->inputs) {
      inputs.push_back(json::object{{"name", in.name},
                                    {"type", in.type.to_string()},
                                    {"type_structural", in.type.to_structural_string()},
                                    {"kind", input_kind(in.type)},
                                    {"optional", in.type.is_optional()},
                                    {"description", in.description},
                                    {"required", !in.default_value.has_value()},
                                    {"default", in.default_value.value_or(nullptr)}});
    }
  }
  out["inputs"] = std::move(inputs);
  out["tasks"] = std::move(tasks);
  return ApiResponse::json(out);
}

ApiResponse trigger_run(ApiServices s, const ApiRequest& req) {
  CatalogEntry entry = served_workflow(s, req.param("name"));
  json::object body = req.json_body();
  json::object given;
  RunRequest request;
  request.trigger = "api";
  for (const auto& [key, value] : body) {
    if (key == "inputs") {
      if (!value.is_object()) throw HttpError(400, "\"inputs\" must be a JSON object of input name to value");
      given = value.as_object();
    } else if (key == "idempotency_key") {
      if (!value.is_string()) throw HttpError(400, "\"idempotency_key\" must be a string");
      request.idempotency_key = std::string(value.as_string());
      if (request.idempotency_key.starts_with(schedule_key_prefix)) {
        throw HttpError(400, "idempotency keys starting with \"" + std::string(schedule_key_prefix) +
                                 "\" are reserved for scheduled runs; choose another key");
      }
    } else if (key == "trigger") {
      // Who started it, as `ork runs` shows: the web UI says so; nobody may
      // pass for the scheduler or a CLI command.
      if (!value.is_string() || (value.as_string() != "api" && value.as_string() != "ui")) {
        throw HttpError(400, "\"trigger\" must be \"api\" (the default) or \"ui\"");
      }
      request.trigger = std::string(value.as_string());
    } else {
      throw HttpError(400, "unknown key \"" + std::string(key) +
                               "\" in the body (expected \"inputs\", \"idempotency_key\", \"trigger\")");
    }
  }
  if (!entry.workflow) {
    throw HttpError(409, "workflow '" + entry.name + "' does not compile (" + std::to_string(entry.errors.size()) +
                             " errors); see GET /api/workflows/" + entry.name);
  }
  if (std::vector<InputProblem> problems = input_problems(*entry.workflow, given); !problems.empty()) {
    return bad_inputs(problems);
  }
  request.inputs = check_workflow_inputs(*entry.workflow, given);
  CreatedRunId created = s.launcher.start(entry.workflow, std::move(request));
  return ApiResponse::json(json::object{{"run_id", created.run_id},
                                        {"workflow", entry.name},
                                        {"existing", created.existing},
                                        {"url", "/api/runs/" + created.run_id}},
                           created.existing ? 200 : 201);
}

ApiResponse set_paused(ApiServices s, const ApiRequest& req, bool paused) {
  CatalogEntry entry = served_workflow(s, req.param("name"));
  s.schedules.set_paused(entry.name, paused);
  return ApiResponse::json(json::object{{"name", entry.name},
                                        {"paused", s.schedules.paused(entry.name)},
                                        {"next_run_at", optional_time(s.schedules.next_run_at(entry.name))}});
}

// ---- runs -----------------------------------------------------------------

ApiResponse list_runs(ApiServices s, const ApiRequest& req) {
  RunFilter filter;
  filter.workflow = req.query_value("workflow");
  filter.status = req.query_value("status");
  if (filter.status && !run_statuses.contains(*filter.status)) {
    throw HttpError(400, "query parameter 'status' must be one of pending, running, succeeded, failed, cancelled");
  }
  filter.cursor = req.query_value("cursor");
  filter.limit = static_cast<int>(integer_param(req, "limit", 1, 500).value_or(50));
  RunPage page = s.store.list_runs(filter);
  json::array runs;
  for (const RunRow& run : page.runs) runs.push_back(run_summary_json(run));
  return ApiResponse::json(json::object{
      {"runs", std::move(runs)},
      {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}});
}

// The run a route's {id} names: its full id or an unambiguous prefix (like
// an abbreviated git commit), resolved once by the store for every route,
// so that what GET shows, cancel and logs reach too. Handlers use the full
// id from the answer from then on.
RunDetail resolve_run(ApiServices s, const std::string& id_or_prefix) {
  try {
    return s.store.get_run(id_or_prefix);
  } catch (const Error& e) {
    // The storage plugins refuse an ambiguous prefix (as not found, with the
    // candidates) with this message; the rest of the error (the store's URL)
    // is not for the client. It is a conflict, not an unknown run.
    const std::string text = e.what();
    std::size_t at = text.find("run id prefix '");
    if (at != std::string::npos && text.find("is ambiguous", at) != std::string::npos) {
      throw HttpError(409, text.substr(at));
    }
    if (e.kind() == ErrorKind::not_found) throw HttpError(404, "no run '" + id_or_prefix + "'");
    throw;
  }
}

ApiResponse get_run(ApiServices s, GraphCache& graphs, const ApiRequest& req) {
  RunDetail detail = resolve_run(s, req.param("id"));
  json::object out = run_detail_json(detail);
  json::array attempts;
  for (const AttemptRow& a : detail.attempts) {
    attempts.push_back(json::object{{"task", a.task},
                                    {"attempt", a.attempt},
                                    {"status", a.status},
                                    {"started_at", time_json(a.started_at)},
                                    {"finished_at", time_json(a.finished_at)},
                                    {"error", a.error ? json::value(*a.error) : json::value(nullptr)}});
  }
  out["attempts"] = std::move(attempts);
  bool from_failure = false;
  if (std::string source = rerun_source(detail.run.trigger, &from_failure); !source.empty()) {
    out["rerun_of"] = source;
    out["from_failure"] = from_failure;
    // A task recorded succeeded without an attempt was reused, not run.
    for (auto& [name, task] : out["tasks"].as_object()) {
      json::object& t = task.as_object();
      const json::value* status = t.if_contains("status");
      const json::value* tries = t.if_contains("attempts");
      if (from_failure && status && status->is_string() && status->as_string() == "succeeded" && tries &&
          tries->is_int64() && tries->as_int64() == 0) {
        t["reused_from"] = source;
      }
    }
  }
  out["workflow_version_id"] = detail.run.workflow_version_id;
  const std::int64_t version = detail.run.workflow_version_id;
  out["graph"] = version > 0 ? *graphs.get(version, [&] { return graph_json(s.store, version); }) : json::array{};
  return ApiResponse::json(out);
}

ApiResponse cancel_run(ApiServices s, const ApiRequest& req) {
  const std::string id = resolve_run(s, req.param("id")).run.run_id;
  switch (s.launcher.cancel(id)) {
    case CancelOutcome::cancelling:
      return ApiResponse::json(json::object{{"run_id", id}, {"outcome", "cancelling"}}, 202);
    case CancelOutcome::requested:
      return ApiResponse::json(json::object{{"run_id", id}, {"outcome", "requested"}}, 202);
    case CancelOutcome::finished:
      break;
  }
  throw HttpError(409, "run '" + id + "' has already finished (" + s.store.get_run(id).run.status + ")");
}

// body {"from_failure": bool} (optional) -> 201 {run_id, rerun_of, from_failure, url}.
ApiResponse rerun_run(ApiServices s, const ApiRequest& req) {
  const std::string id = resolve_run(s, req.param("id")).run.run_id;
  bool from_failure = false;
  json::object body = req.body.empty() ? json::object{} : req.json_body();
  for (const auto& [key, value] : body) {
    if (key != "from_failure") throw HttpError(400, "unknown key \"" + std::string(key) + "\" in the body (expected \"from_failure\")");
    if (!value.is_bool()) throw HttpError(400, "\"from_failure\" must be true or false");
    from_failure = value.as_bool();
  }
  RunDetail source = s.store.get_run(id);
  if (source.run.status == "running" || source.run.status == "pending") {
    throw HttpError(409, "run '" + id + "' is still " + source.run.status + "; wait for it to finish or cancel it first");
  }
  CreatedRunId created = s.launcher.rerun(id, from_failure);
  return ApiResponse::json(json::object{{"run_id", created.run_id},
                                        {"workflow", source.run.workflow},
                                        {"rerun_of", id},
                                        {"from_failure", from_failure},
                                        {"url", "/api/runs/" + created.run_id}},
                           201);
}

ApiResponse task_logs(ApiServices s, const ApiRequest& req) {
  const std::string& task = req.param("task");
  RunDetail detail = resolve_run(s, req.param("id"));
  const std::string& id = detail.run.run_id;
  if (!detail.find_task(task)) throw HttpError(404, "run '" + id + "' has no task '" + task + "'");
  LogFilter filter;
  filter.run_id = id;
  filter.task = task;
  if (auto attempt = integer_param(req, "attempt", 1, 1'000'000)) filter.attempt = static_cast<int>(*attempt);
  filter.cursor = integer_param(req, "cursor", 0, std::numeric_limits<std::int64_t>::max());
  filter.limit = static_cast<int>(integer_param(req, "limit", 1, 5000).value_or(1000));
  LogPage page = s.store.logs(filter);
  json::array lines;
  for (const StoredLogLine& l : page.lines) {
    lines.push_back(json::object{{"id", l.id},
                                 {"attempt", l.attempt},
                                 {"stream", l.stream},
                                 {"at", time_json(l.at)},
                                 {"line", l.line}});
  }
  // The cursor to poll with next: the last line seen, even at the end.
  std::int64_t next = page.lines.empty() ? filter.cursor.value_or(0) : page.lines.back().id;
  return ApiResponse::json(json::object{{"run_id", id},
                                        {"task", task},
                                        {"lines", std::move(lines)},
                                        {"next_cursor", next},
                                        {"more", page.next_cursor.has_value()}});
}

// ---- live events (Server-Sent Events) ------------------------------------

std::string event_data(const StoreEvent& e) {
  return json::serialize(json::object{{"seq", e.seq},
                                      {"run_id", e.run_id},
                                      {"task", e.task ? json::value(*e.task) : json::value(nullptr)},
                                      {"kind", e.kind},
                                      {"status", e.status ? json::value(*e.status) : json::value(nullptr)},
                                      {"at", time_json(e.at)}});
}

ApiResponse event_stream(ApiServices s, const ApiRequest& req) {
  std::optional<std::int64_t> after = integer_param(req, "after", 0, std::numeric_limits<std::int64_t>::max());
  if (auto last = req.header("last-event-id")) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(last->data(), last->data() + last->size(), value);
    if (error == std::errc() && end == last->data() + last->size() && value >= 0) after = value;
  }
  std::optional<std::string> run_filter = req.query_value("run");
  if (run_filter) run_filter = resolve_run(s, *run_filter).run.run_id;
  std::shared_ptr<EventHub::Subscription> subscription = s.events.subscribe(after);

  ApiResponse response;
  response.content_type = "text/event-stream";
  response.headers["Cache-Control"] = "no-cache";
  response.headers["X-Accel-Buffering"] = "no";
  response.stream = [hub = &s.events, subscription, run_filter](std::ostream& out) {
    struct Unsubscribe {
      EventHub* hub;
      std::shared_ptr<EventHub::Subscription> subscription;
      ~Unsubscribe() { hub->unsubscribe(subscription); }
    } guard{hub, subscription};
    using clock = std::chrono::steady_clock;
    constexpr auto heartbeat = std::chrono::seconds(15);
    out << "retry: 2000\n: connected\n\n" << std::flush;
    auto last_write = clock::now();
    while (out.good()) {
      std::optional<std::vector<StoreEvent>> batch = subscription->next(std::chrono::milliseconds(1000));
      if (!batch) return;
      bool wrote = false;
      for (const StoreEvent& e : *batch) {
        if (run_filter && e.run_id != *run_filter) continue;
        out << "id: " << e.seq << "\nevent: " << e.kind << "\ndata: " << event_data(e) << "\n\n";
        wrote = true;
      }
      if (!wrote && clock::now() - last_write >= heartbeat) {
        out << ": heartbeat\n\n";
        wrote = true;
      }
      if (wrote) {
        out.flush();
        last_write = clock::now();
      }
    }
  };
  return response;
}

ApiResponse openapi(const ApiRequest&) {
  const EmbeddedAsset* doc = find_asset("api/openapi.json");
  if (!doc) throw HttpError(404, "this build has no OpenAPI document");
  ApiResponse response;
  response.body = std::string(doc->bytes);
  return response;
}

}  // namespace

}  // namespace ork::host
