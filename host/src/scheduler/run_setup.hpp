// What every way of starting a run shares (`ork run`, `ork trigger`, the
// HTTP API and cron schedules of `ork serve`): checking the workflow's inputs,
// naming the run and its owner, and recording the workflow version and the
// new run in the store before anything executes, and claiming it for this
// process (or taking over the runs of a dead one).
#pragma once

#include "store/store.hpp"
#include "workflow/compiled.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

// `--input NAME=VALUE` items checked against the workflow's `inputs:` block,
// defaults filled in. VALUE is JSON when it parses, else a string. Throws
// Error(usage) naming the input and what is wrong.
boost::json::object resolve_workflow_inputs(const CompiledWorkflow& workflow, const std::vector<std::string>& given);

// The same check for inputs given as a JSON object (the API's trigger body).
boost::json::object check_workflow_inputs(const CompiledWorkflow& workflow, const boost::json::object& given);

// Every problem of `given` (the API's inputs object) at once, by input name:
// unknown names, values that do not fit, required inputs left out. Empty when
// check_workflow_inputs would accept `given`. The UI shows each next to its field.
struct InputProblem {
  std::string input;
  std::string message;
};
std::vector<InputProblem> input_problems(const CompiledWorkflow& workflow, const boost::json::object& given);

std::string new_run_id();
// "host:pid": who executes a run, for leases and for `ork runs`.
std::string owner_name();

struct RunRequest {
  boost::json::object inputs;   // already checked
  std::string trigger = "cli";  // cli | api | schedule | schedule-late | rerun:ID | rerun-from-failure:ID
  std::string idempotency_key;  // empty = none
  std::string owner;
};

// Saves the workflow version and creates the run with all its tasks pending.
// `existing` is set when the idempotency key named a run that already exists.
CreatedRunId record_run(Store& store, const CompiledWorkflow& workflow, const RunRequest& request);

// `owner` ("host:pid") when it is a process on this host that no longer
// exists, so its runs can be taken over at once instead of after its lease
// expires; "" otherwise.
std::string provably_dead_owner(const std::string& owner);

// Takes ownership of a run just created by this process (a no-op with a
// store that predates run ownership).
void claim_new_run(Store& store, const std::string& run_id, const std::string& owner);

}  // namespace ork::host
