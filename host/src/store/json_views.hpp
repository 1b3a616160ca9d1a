// The stable JSON shapes of docs/cli.md (`ork run --json`, `ork tasks --json`,
// `ork runs --json`), built from the store's typed rows. Shared by the CLI
// and, later, the HTTP API so both print the same fields.
#pragma once

#include "store/store.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace ork::host {

boost::json::value time_json(Millis at);  // ISO 8601 string, or null
boost::json::object task_json(const TaskStateRow& task);

// Where a `cached` task's output came from (its recorded `error`, plugin.h).
struct CachedFrom {
  std::string run_id;
  std::string task;
  int attempt = 0;
  Millis created_at = 0;
};
// nullopt unless the task is `cached` with a readable origin.
std::optional<CachedFrom> cached_from(const TaskStateRow& task);
boost::json::object run_summary_json(const RunRow& run);
// {"run_id","workflow","status",...,"tasks": {NAME: task_json}}
boost::json::object run_detail_json(const RunDetail& detail);

// Pretty-prints JSON with two-space indentation (Boost.JSON only prints compact).
std::string pretty_json(const boost::json::value& value);

}  // namespace ork::host
