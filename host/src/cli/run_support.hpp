// What `ork run` and `ork resume` share: executing a run in the foreground
// with live progress and Ctrl-C handling, claiming it in the store, and
// printing its outcome (plain or the JSON of docs/cli.md) with the right exit code.
#pragma once

#include "cli/cli.hpp"
#include "scheduler/run_scheduler.hpp"

#include <chrono>
#include <map>
#include <ostream>
#include <optional>
#include <string>

namespace ork::host {

// Blocks SIGINT/SIGTERM in the calling thread and every thread it starts
// later, so that they reach the one thread that waits for them (sigwait).
// `run_cli` calls it before loading plugins for commands that run tasks.
void block_interrupt_signals();

// How a run executed by this process ended.
struct RunOutcome {
  std::string status;
  std::map<std::string, int> task_counts;
  bool interrupted = false;
};

// `--concurrency N` (a positive number; throws a usage Error otherwise), or
// the number of cores when it is not given.
int concurrency_option(const CliContext& ctx);
// `--timeout D` as a duration; nullopt when not given; a usage error when malformed.
std::optional<std::chrono::milliseconds> timeout_option(const CliContext& ctx);

// Where progress lines go: stdout, or stderr with --json (stdout then holds
// only the final JSON object, so `ork run --json > out.json` still shows progress).
std::ostream& progress_stream(bool json);

// Tells the executor of each task that starts the run (no upstream; the
// first such task per executor) that it will run soon (plugin API 1.8), so
// that e.g. a Python worker starts while the store records the run.
void warm_executors(const CompiledWorkflow& workflow, const PluginRegistry& registry);

// Executes the run to its end with progress on progress_stream(json),
// cancelling it on SIGINT/SIGTERM.
RunOutcome execute_run(const CompiledWorkflow& workflow, const CliContext& ctx, Store& store, RunOptions options,
                       bool json);

// Prints the run's outcome and returns the exit code (0, 1 or 130). The JSON
// form reads the run back from the store; the one-line summary uses
// `outcome` when this process executed the run (a 10 000-task run need not
// be read back to count its states).
int report_run(Store& store, const std::string& run_id, bool json, const std::optional<RunOutcome>& outcome);

}  // namespace ork::host
