// Parameters of the storage queries (ork_query_kind in ork/plugin.h), parsed
// from their JSON at the boundary into typed structs, with the same checks and
// messages in every storage plugin (names and required params come from
// ork/storage_queries.h); and the opaque LIST_RUNS cursor. Shared by
// the sqlite and postgres plugins' queries.cpp.
#pragma once

#include <ork/plugin.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugins::storage {

// ---- typed params, parsed at the JSON boundary --------------------------------

struct RunsCursor {
  std::int64_t created_at;
  std::string run_id;
};

struct ListRunsParams {
  std::optional<std::string> workflow;
  std::optional<std::string> status;
  std::optional<RunsCursor> cursor;
  std::int64_t limit;
};

struct GetRunParams {
  std::string run_id;  // or a unique prefix of one
};

struct LogsParams {
  std::string run_id;  // or a unique prefix of one
  std::optional<std::string> task;
  std::optional<std::int64_t> attempt;
  std::int64_t after_id;
  std::int64_t limit;
};

struct EventsParams {
  std::int64_t after_seq;
  std::int64_t limit;
};

struct GetWorkflowParams {
  std::optional<std::int64_t> version_id;
  std::optional<std::string> name;
};

struct WorkflowSettingsParams {
  std::string workflow;
};

struct OrphanedRunsParams {
  std::int64_t now;
};

struct QueuedAttemptParams {
  std::int64_t id;
};

struct WorkersParams {
  std::int64_t now;
};

ListRunsParams parse_list_runs(std::string_view params_json);
GetRunParams parse_get_run(std::string_view params_json);
LogsParams parse_logs(std::string_view params_json);
EventsParams parse_events(std::string_view params_json);
GetWorkflowParams parse_get_workflow(std::string_view params_json);
void parse_no_params(ork_query_kind kind, std::string_view params_json);
WorkflowSettingsParams parse_workflow_settings(std::string_view params_json);
OrphanedRunsParams parse_orphaned_runs(std::string_view params_json);
QueuedAttemptParams parse_queued_attempt(std::string_view params_json);
WorkersParams parse_workers(std::string_view params_json);

std::string encode_runs_cursor(std::int64_t created_at, std::string_view run_id);

// ---- run ids given by prefix ----------------------------------------------------

// How many runs an ambiguous run-id prefix lists; a query fetches one more, to
// know whether there are others.
inline constexpr int ambiguous_prefix_listed = 10;

// The message for a run-id prefix that several runs start with (thrown as
// NotFound, so the CLI exits 2 and the API answers 404): `matches` are the
// first matching ids in id order, at most ambiguous_prefix_listed + 1.
std::string ambiguous_run_id_message(std::string_view prefix, const std::vector<std::string>& matches);

}  // namespace ork::plugins::storage
