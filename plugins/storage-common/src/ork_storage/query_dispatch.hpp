// The query entry point both stores share: parse a query's params (checked
// against ork/storage_queries.h) and hand them to the store's answer for that
// kind. A store lists its answers in a QueryAnswers table; Db is its
// connection type. Included by the sqlite and postgres queries.cpp.
#pragma once

#include <ork/plugin.h>

#include <boost/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

#include "ork_storage/query_params.hpp"

namespace ork::plugins::storage {

template <typename Db>
struct QueryAnswers {
  boost::json::object (*list_runs)(Db&, const ListRunsParams&);
  boost::json::object (*get_run)(Db&, const GetRunParams&);
  boost::json::object (*logs)(Db&, const LogsParams&);
  boost::json::object (*events)(Db&, const EventsParams&);
  boost::json::object (*list_workflows)(Db&);
  boost::json::object (*get_workflow)(Db&, const GetWorkflowParams&);
  boost::json::object (*workflow_settings)(Db&, const WorkflowSettingsParams&);
  boost::json::object (*orphaned_runs)(Db&, const OrphanedRunsParams&);
  boost::json::object (*queued_attempt)(Db&, const QueuedAttemptParams&);
  boost::json::object (*workers)(Db&, const WorkersParams&);
};

// The JSON answer of one query; std::invalid_argument for bad params or an
// unknown kind (`plugin` names the store in that message).
template <typename Db>
std::string answer_query(const QueryAnswers<Db>& answers, Db& db, ork_query_kind kind, std::string_view params_json,
                         std::string_view plugin) {
  namespace json = boost::json;
  switch (kind) {
    case ORK_QUERY_LIST_RUNS:
      return json::serialize(answers.list_runs(db, parse_list_runs(params_json)));
    case ORK_QUERY_GET_RUN:
      return json::serialize(answers.get_run(db, parse_get_run(params_json)));
    case ORK_QUERY_LOGS:
      return json::serialize(answers.logs(db, parse_logs(params_json)));
    case ORK_QUERY_EVENTS:
      return json::serialize(answers.events(db, parse_events(params_json)));
    case ORK_QUERY_LIST_WORKFLOWS:
      parse_no_params(ORK_QUERY_LIST_WORKFLOWS, params_json);
      return json::serialize(answers.list_workflows(db));
    case ORK_QUERY_GET_WORKFLOW:
      return json::serialize(answers.get_workflow(db, parse_get_workflow(params_json)));
    case ORK_QUERY_WORKFLOW_SETTINGS:
      return json::serialize(answers.workflow_settings(db, parse_workflow_settings(params_json)));
    case ORK_QUERY_ORPHANED_RUNS:
      return json::serialize(answers.orphaned_runs(db, parse_orphaned_runs(params_json)));
    case ORK_QUERY_QUEUED_ATTEMPT:
      return json::serialize(answers.queued_attempt(db, parse_queued_attempt(params_json)));
    case ORK_QUERY_WORKERS:
      return json::serialize(answers.workers(db, parse_workers(params_json)));
  }
  throw std::invalid_argument("query: unknown query kind " + std::to_string(static_cast<int>(kind)) + " (this " +
                              std::string(plugin) + " plugin answers kinds 1 to 10)");
}

}  // namespace ork::plugins::storage
