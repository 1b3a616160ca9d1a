// The DAG pass of the workflow compiler: resolves each task's direct upstream
// tasks (explicit `depends_on` plus those implied by `{from: task...}`
// references), reports unknown names, self-dependencies and cycles (named in
// full, `cycle: a -> b -> c -> a`), and orders the tasks topologically.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "workflow/task_draft.hpp"

namespace ork::host {

// Fills every draft's `task.depends_on` (sorted, unique, known tasks only) and
// returns the indexes of `drafts` in a topological order, stable in file
// order; nullopt when there is a cycle (reported into `errors`).
std::optional<std::vector<std::size_t>> order_tasks(std::vector<TaskDraft>& drafts, std::vector<Diagnostic>& errors);

// Rearranges `tasks` in place so that tasks[i] is the task that was at
// order[i] (`order`: a permutation of their indexes, as order_tasks gives):
// no second array of tasks.
void put_in_order(std::vector<CompiledTask>& tasks, const std::vector<std::size_t>& order);

}  // namespace ork::host
