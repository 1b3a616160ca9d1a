// The typing of `map:` (docs/types.md, "Map"): each mapped parameter must be
// a parameter of the task, not also bound in `inputs:`, and bound to a list
// whose element type fits the parameter. Run by the workflow compiler after
// check_bindings (binding_check.hpp), which leaves mapped parameters to it.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "workflow/compiled.hpp"
#include "workflow/task_draft.hpp"

namespace ork::host {

// `drafts` have their depends_on resolved and final signatures (a mapped
// upstream's output already `list[...]`). Reports into `errors`.
void check_maps(const std::vector<TaskDraft>& drafts, const std::vector<WorkflowInput>& workflow_inputs,
                std::vector<Diagnostic>& errors);

}  // namespace ork::host
