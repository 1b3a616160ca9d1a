// `ork run FILE`: compile, record the workflow version and a new run, execute
// it with live progress, and print the outcome (or the JSON of docs/cli.md).
#include "cli/cli.hpp"
#include "scheduler/run_setup.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"

#include <iostream>

namespace ork::host {

int run_command(CliContext& ctx) {
  const bool json = ctx.cl.has("--json");
  const int concurrency = concurrency_option(ctx);
  const std::optional<std::chrono::milliseconds> timeout = timeout_option(ctx);
  std::optional<CompiledWorkflow> workflow = ctx.compile_or_report();
  if (!workflow) return exit_invalid;
  RunRequest request;
  request.inputs = resolve_workflow_inputs(*workflow, ctx.cl.values("--input"));
  request.trigger = "cli";
  request.idempotency_key = ctx.cl.value("--idempotency-key").value_or("");
  request.owner = owner_name();

  // Workers (a Python interpreter) start while the store records the run.
  if (!ctx.cl.has("--workers-only")) warm_executors(*workflow, *ctx.registry);
  Store store = ctx.open_store();
  if (ctx.cl.has("--workers-only") && !store.supports_queue()) {
    throw Error(ErrorKind::usage, "--workers-only needs a store with a worker queue (plugin API 1.3), e.g. "
                                  "--db postgresql://…");
  }
  CreatedRunId created = record_run(store, *workflow, request);
  if (created.existing) {
    std::cerr << "ork: run " << created.run_id << " already exists for this idempotency key\n";
    return report_run(store, created.run_id, json, std::nullopt);
  }
  claim_new_run(store, created.run_id, request.owner);
  const int applied = applied_concurrency(concurrency, *workflow);
  progress_stream(json) << "run " << created.run_id << " of " << workflow->name << " (" << workflow->tasks.size()
                        << (workflow->tasks.size() == 1 ? " task" : " tasks") << ", concurrency " << applied
                        << (applied < concurrency ? ", the workflow's limit" : "") << ")\n";
  RunOptions options;
  options.run_id = created.run_id;
  options.concurrency = concurrency;
  options.workflow_inputs = request.inputs;
  options.owner = request.owner;
  options.remote = ctx.cl.has("--workers-only");
  options.timeout = timeout;
  options.no_cache = ctx.cl.has("--no-cache");
  RunOutcome outcome = execute_run(*workflow, ctx, store, std::move(options), json);
  return report_run(store, created.run_id, json, outcome);
}

}  // namespace ork::host
