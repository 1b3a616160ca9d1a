// The cache key of one attempt of a task with `cache:` (docs/workflows.md,
// "Caching"): what decides whether an earlier successful attempt's output
// may stand in for running it. Used by the run scheduler (cache_reuse.cpp)
// and its unit tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "workflow/compiled.hpp"

namespace ork::host {

// Hex SHA-256 over: the workflow and task names; what of the compiled task
// decides its result — executor, executor config, env, workdir, bindings —
// but not how it is run (retries, timeouts, pools, trigger rule); its code
// hash and `version:`; and `input_json`, the resolved input of the attempt.
// The task must have `cache:`.
std::string task_cache_key(const CompiledWorkflow& workflow, const CompiledTask& task, std::string_view input_json);

// The oldest creation time (ms since the epoch) of an entry still fresh at
// `now` under the task's `ttl:`; 0 when entries never expire.
std::int64_t cache_not_before(const TaskCacheSettings& cache, std::int64_t now);

}  // namespace ork::host
