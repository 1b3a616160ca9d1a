// The JSON shapes the API's handlers (api_routes.cpp) share about workflows:
// compile errors, a compiled task with named and structural types, the
// typed fields of a workflow's inputs form, a 400 naming every bad input,
// and the DAG a run recorded (named types when its version has them).
#pragma once

#include "http/router.hpp"
#include "scheduler/run_setup.hpp"
#include "store/store.hpp"
#include "workflow/compiled.hpp"
#include "core/error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ork::host {

boost::json::array errors_json(const std::vector<Diagnostic>& errors);
boost::json::object compiled_task_json(const CompiledTask& task);
// A task's `cache:` settings ({"ttl_ms", "version", "code_files"}), or null.
boost::json::value cache_json(const CompiledTask& task);
// The form field a workflow input needs in the UI: "bool", "int", "float",
// "str", "date", "datetime", or "json" for every other type.
std::string input_kind(const Type& type);
ApiResponse bad_inputs(const std::vector<InputProblem>& problems);
boost::json::array graph_json(Store& store, std::int64_t version_id);

}  // namespace ork::host
