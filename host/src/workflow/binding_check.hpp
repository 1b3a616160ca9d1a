// The type-checking pass of the workflow compiler (the binding order of docs/workflows.md,
// §4 assignability): for every task with a declared signature, each parameter
// must be bound (explicit input, upstream task of the same name, `upstream`,
// or a default) by a value whose type fits; every `{input: name}` must name a
// declared workflow input. Errors name both ends, the path and both types.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "workflow/compiled.hpp"
#include "workflow/task_draft.hpp"

namespace ork::host {

// `drafts` have their depends_on resolved (task_graph.hpp) and their final
// signatures. Reports into `errors`.
void check_bindings(const std::vector<TaskDraft>& drafts, const std::vector<WorkflowInput>& workflow_inputs,
                    std::vector<Diagnostic>& errors);

}  // namespace ork::host
