// The stable JSON shapes of docs/cli.md (`ork run --json`, `ork tasks --json`,
// `ork runs --json`), built from the store's typed rows. Shared by the CLI
// and, later, the HTTP API so both print the same fields.
#pragma once

#include "store/store.hpp"

#include <boost/json.hpp>

namespace ork::host {

boost::json::value time_json(Millis at);  // ISO 8601 string, or null
boost::json::object task_json(const TaskStateRow& task);
boost::json::object run_summary_json(const RunRow& run);
// {"run_id","workflow","status",...,"tasks": {NAME: task_json}}
boost::json::object run_detail_json(const RunDetail& detail);

// Pretty-prints JSON with two-space indentation (Boost.JSON only prints compact).
std::string pretty_json(const boost::json::value& value);

}  // namespace ork::host
