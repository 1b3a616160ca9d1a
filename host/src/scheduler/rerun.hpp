// Re-running a finished run (`ork rerun`, POST /api/runs/{id}/rerun, the UI's
// buttons): a new run of the same recorded workflow version with the same
// inputs. From failure, the tasks that succeeded in the source run are not
// executed again: the new run records them as succeeded with the source's
// outputs at attempt 0, with a system log line naming the run the output
// came from, and the scheduler continues from that state as `ork resume`
// would, so only the failed, skipped and cancelled tasks run. The new run's
// trigger is `rerun:SOURCE` or `rerun-from-failure:SOURCE`.
#pragma once

#include "scheduler/run_scheduler.hpp"
#include "scheduler/run_setup.hpp"
#include "store/store.hpp"
#include "workflow/compiled.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ork::host {

struct PreparedRerun {
  std::shared_ptr<const CompiledWorkflow> workflow;  // compiled from the source run's recorded version
  std::string source_run_id;
  std::string run_id;               // the new run, already recorded
  boost::json::object inputs;       // the source run's inputs
  std::optional<RunDetail> resume;  // from failure: the state to continue from
  std::vector<std::string> reused;  // tasks whose outputs were reused
};

// Records the new run (owned by `owner`, claimed when the store supports
// ownership). Throws Error(usage) when the source run has not finished, and
// Error(invalid_workflow) when its recorded version no longer compiles.
PreparedRerun prepare_rerun(Store& store, const PluginRegistry& plugins, std::string_view source_run,
                            bool from_failure, const std::string& owner);

// The source run of a trigger written by prepare_rerun ("" for other runs),
// and whether it re-ran from failure.
std::string rerun_source(std::string_view trigger, bool* from_failure = nullptr);

}  // namespace ork::host
