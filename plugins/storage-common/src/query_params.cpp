#include "ork_storage/query_params.hpp"

#include <ork/storage_queries.h>

#include "ork_storage/json_text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace ork::plugins::storage {

namespace json = boost::json;

namespace {

// ---- params parsing -------------------------------------------------------------

// The params object of one query, checked against its schema in
// ork/storage_queries.h (the one list of each query's params). Unknown keys
// are refused so that a typo in a filter is an error instead of a silently
// unfiltered answer; a key whose value is null counts as absent.
class Params {
 public:
  Params(ork_query_kind kind, std::string_view params_json) : schema_(*ork_query_schema_of(kind)), query_(schema_.name) {
    if (!params_json.empty()) {
      json::error_code ec;
      json::value parsed = json::parse(params_json, ec);
      if (ec) fail("params are not valid JSON (" + ec.message() + "): " + std::string(params_json.substr(0, 200)));
      if (!parsed.is_object()) fail("params must be a JSON object, got " + json::serialize(parsed).substr(0, 200));
      object_ = std::move(parsed.as_object());
    }
    for (const auto& entry : object_) {
      if (!ork_query_param_of(&schema_, entry.key().data(), entry.key().size())) fail_unknown(entry.key());
    }
    for (std::size_t i = 0; i < schema_.param_count; ++i) {
      if (schema_.params[i].required && !find(schema_.params[i].name)) {
        fail("param '" + std::string(schema_.params[i].name) + "' is required");
      }
    }
    if (schema_.one_of[0] && (find(schema_.one_of[0]) != nullptr) == (find(schema_.one_of[1]) != nullptr)) {
      fail("give exactly one of '" + std::string(schema_.one_of[0]) + "' and '" + schema_.one_of[1] + "'");
    }
  }

  std::optional<std::string> optional_string(std::string_view key) const {
    const json::value* value = find(key);
    if (!value) return std::nullopt;
    if (!value->is_string()) fail("param '" + std::string(key) + "' must be a string, got " + json::serialize(*value));
    return std::string(value->as_string());
  }

  std::string required_string(std::string_view key) const {
    std::optional<std::string> value = optional_string(key);
    if (!value || value->empty()) fail("param '" + std::string(key) + "' is required");
    return *value;
  }

  // Integers may also come as decimal strings, as they do in HTTP query strings.
  std::optional<std::int64_t> optional_integer(std::string_view key) const {
    const json::value* value = find(key);
    if (!value) return std::nullopt;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(value->as_uint64());
    }
    if (value->is_string()) {
      const json::string& text = value->as_string();
      std::int64_t parsed = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return parsed;
    }
    fail("param '" + std::string(key) + "' must be an integer, got " + json::serialize(*value));
  }

  // A page size: `fallback` when absent, at most `max`, at least 1.
  std::int64_t limit(std::int64_t fallback, std::int64_t max) const {
    const std::int64_t limit = optional_integer("limit").value_or(fallback);
    if (limit < 1) fail("param 'limit' must be at least 1, got " + std::to_string(limit));
    return std::min(limit, max);
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw std::invalid_argument(query_ + " query: " + problem);
  }

  [[noreturn]] void fail_unknown(std::string_view key) const {
    std::string list;
    for (std::size_t i = 0; i < schema_.param_count; ++i) list += (list.empty() ? "" : ", ") + std::string(schema_.params[i].name);
    fail("unknown param '" + std::string(key) + "' (known: " + (list.empty() ? "none" : list) + ")");
  }

 private:
  const json::value* find(std::string_view key) const {
    const json::value* value = object_.if_contains(key);
    return value && !value->is_null() ? value : nullptr;
  }

  const ork_query_schema& schema_;
  std::string query_;
  json::object object_;
};

}  // namespace

std::optional<RunsCursor> parse_runs_cursor(const Params& params, std::optional<std::string> cursor);

ListRunsParams parse_list_runs(std::string_view params_json) {
  const Params params(ORK_QUERY_LIST_RUNS, params_json);
  return ListRunsParams{params.optional_string("workflow"), params.optional_string("status"),
                        parse_runs_cursor(params, params.optional_string("cursor")), params.limit(50, 1000)};
}

// The cursor is "<created_at>:<run id>" of the last run of the previous page.
// Clients treat it as opaque; it is readable only to ease debugging.
std::optional<RunsCursor> parse_runs_cursor(const Params& params, std::optional<std::string> cursor) {
  if (!cursor || cursor->empty()) return std::nullopt;
  const std::size_t colon = cursor->find(':');
  std::int64_t created_at = 0;
  if (colon != std::string::npos) {
    const auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + colon, created_at);
    if (ec == std::errc() && end == cursor->data() + colon && colon > 0) {
      return RunsCursor{created_at, cursor->substr(colon + 1)};
    }
  }
  params.fail("param 'cursor' is not a cursor this store gave out: '" + *cursor +
              "'; pass the next_cursor of a previous answer");
}

std::string encode_runs_cursor(std::int64_t created_at, std::string_view run_id) {
  return std::to_string(created_at) + ":" + std::string(run_id);
}

GetRunParams parse_get_run(std::string_view params_json) {
  const Params params(ORK_QUERY_GET_RUN, params_json);
  return GetRunParams{params.required_string("run_id")};
}

LogsParams parse_logs(std::string_view params_json) {
  const Params params(ORK_QUERY_LOGS, params_json);
  return LogsParams{params.required_string("run_id"), params.optional_string("task"),
                    params.optional_integer("attempt"), params.optional_integer("cursor").value_or(0),
                    params.limit(1000, 10000)};
}

EventsParams parse_events(std::string_view params_json) {
  const Params params(ORK_QUERY_EVENTS, params_json);
  return EventsParams{params.optional_integer("after").value_or(0), params.limit(1000, 10000)};
}

GetWorkflowParams parse_get_workflow(std::string_view params_json) {
  const Params params(ORK_QUERY_GET_WORKFLOW, params_json);
  return GetWorkflowParams{params.optional_integer("version_id"), params.optional_string("name")};
}

void parse_no_params(ork_query_kind kind, std::string_view params_json) { Params(kind, params_json); }

WorkflowSettingsParams parse_workflow_settings(std::string_view params_json) {
  const Params params(ORK_QUERY_WORKFLOW_SETTINGS, params_json);
  return WorkflowSettingsParams{params.required_string("workflow")};
}

OrphanedRunsParams parse_orphaned_runs(std::string_view params_json) {
  const Params params(ORK_QUERY_ORPHANED_RUNS, params_json);
  const std::optional<std::int64_t> now = params.optional_integer("now");  // required: checked by Params
  return OrphanedRunsParams{*now};
}

QueuedAttemptParams parse_queued_attempt(std::string_view params_json) {
  const Params params(ORK_QUERY_QUEUED_ATTEMPT, params_json);
  const std::optional<std::int64_t> id = params.optional_integer("id");  // required: checked by Params
  return QueuedAttemptParams{*id};
}

WorkersParams parse_workers(std::string_view params_json) {
  const Params params(ORK_QUERY_WORKERS, params_json);
  const std::optional<std::int64_t> now = params.optional_integer("now");  // required: checked by Params
  return WorkersParams{*now};
}

std::string ambiguous_run_id_message(std::string_view prefix, const std::vector<std::string>& matches) {
  std::string message = "run id prefix '" + valid_utf8(prefix) + "' is ambiguous; it matches:";
  const std::size_t listed = std::min<std::size_t>(matches.size(), ambiguous_prefix_listed);
  for (std::size_t i = 0; i < listed; ++i) message += "\n  " + valid_utf8(matches[i]);
  if (matches.size() > listed) message += "\n  ... and more";
  return message + "\ngive more characters of the id";
}

}  // namespace ork::plugins::storage
