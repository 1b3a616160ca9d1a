// The workflow compiler (docs/workflows.md): reads a workflow YAML file, checks it
// completely (keys, values, references, cycles, each task with its executor,
// every input binding against the task signatures) and produces the
// CompiledWorkflow the scheduler runs. It is pure: it writes nothing, and
// collects every error as `file:line:col: message` instead of stopping at the
// first. Called by `ork run`, `ork validate`, `ork serve` and the tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "workflow/compiled.hpp"
#include "workflow/executor_catalog.hpp"

namespace ork::host {

struct CompileResult {
  std::optional<CompiledWorkflow> workflow;  // set only when `errors` is empty
  std::vector<Diagnostic> errors;            // in the order found; file paths as the user gave them
};

// Reads and compiles `file`. Everything wrong becomes a diagnostic: a missing
// or unreadable file, and an executor that broke while checking a task, too.
CompileResult compile_workflow(const std::filesystem::path& file, const ExecutorCatalog& executors);

// Compiles YAML text as if it had been read from `file` (which need not exist).
CompileResult compile_workflow_source(std::string_view yaml, const std::filesystem::path& file,
                                      const ExecutorCatalog& executors);

}  // namespace ork::host
