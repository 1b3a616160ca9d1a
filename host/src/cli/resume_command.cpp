// `ork resume RUN`: continue a run whose process died (kill -9, power loss).
// Succeeded tasks keep their recorded outputs and never run again; attempts
// that were running when the owner died are closed and queued anew.
// `ork rerun RUN [--from-failure]`: a new run of a finished one
// (scheduler/rerun.hpp), continued the same way when from failure.
#include "cli/cli.hpp"
#include "scheduler/run_setup.hpp"
#include "scheduler/rerun.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"

#include <cerrno>
#include <csignal>
#include <thread>
#include <iostream>
#include <unistd.h>

namespace ork::host {

int resume_command(CliContext& ctx) {
  if (ctx.cl.positional.empty()) throw Error(ErrorKind::usage, "`ork resume` needs a RUN id (see `ork runs`)");
  const bool json = ctx.cl.has("--json");
  const int concurrency = concurrency_option(ctx);
  Store store = ctx.open_store();
  RunDetail detail = store.get_run(ctx.cl.positional[0]);
  const std::string run_id = detail.run.run_id;
  if (detail.run.status != "running") {
    throw Error(ErrorKind::usage, "run " + run_id + " already ended (" + detail.run.status + "); nothing to resume");
  }
  WorkflowVersionRow version = store.get_workflow_version(detail.run.workflow_version_id);
  CompileResult compiled = compile_workflow_source(version.source, version.file, *ctx.registry);
  if (!compiled.workflow) {
    for (const auto& d : compiled.errors) std::cerr << d.to_string() << '\n';
    std::cerr << "ork: the recorded workflow of run " << run_id << " no longer compiles here; cannot resume\n";
    return exit_invalid;
  }
  const std::string owner = owner_name();
  if (!store.supports_ownership()) {
    throw Error(ErrorKind::store, "this store's plugin does not record run ownership; cannot resume safely");
  }
  if (!store.claim_run(run_id, owner, provably_dead_owner(detail.run.owner), now_millis(),
                       RunOptions{}.lease.count())) {
    std::cerr << "ork: run " << run_id << " is still owned by " << detail.run.owner
              << ", whose lease has not expired; it is probably still running (resume it once that process is gone)\n";
    return exit_invalid;
  }
  detail = store.get_run(run_id);  // the state as of our claim
  boost::json::object inputs = detail.run.inputs.is_object() ? detail.run.inputs.as_object() : boost::json::object{};
  progress_stream(json) << "resuming run " << run_id << " of " << compiled.workflow->name << " (concurrency "
                        << applied_concurrency(concurrency, *compiled.workflow) << ")\n";
  RunOptions options;
  options.run_id = run_id;
  options.concurrency = concurrency;
  options.workflow_inputs = std::move(inputs);
  options.owner = owner;
  options.resume = std::move(detail);
  options.no_cache = ctx.cl.has("--no-cache");
  RunOutcome outcome = execute_run(*compiled.workflow, ctx, store, std::move(options), json);
  return report_run(store, run_id, json, outcome);
}

int rerun_command(CliContext& ctx) {
  if (ctx.cl.positional.empty()) throw Error(ErrorKind::usage, "`ork rerun` needs a RUN id (see `ork runs`)");
  const bool json = ctx.cl.has("--json");
  const bool from_failure = ctx.cl.has("--from-failure");
  const int concurrency = concurrency_option(ctx);
  Store store = ctx.open_store();
  PreparedRerun prepared = prepare_rerun(store, *ctx.registry, ctx.cl.positional[0], from_failure, owner_name());
  progress_stream(json) << "run " << prepared.run_id << " re-runs " << prepared.source_run_id << " of "
                        << prepared.workflow->name;
  if (from_failure) progress_stream(json) << " from its failure (" << prepared.reused.size() << " task outputs reused)";
  progress_stream(json) << '\n';
  RunOptions options;
  options.run_id = prepared.run_id;
  options.concurrency = concurrency;
  options.workflow_inputs = prepared.inputs;
  options.owner = owner_name();
  options.remote = ctx.cl.has("--workers-only");
  options.resume = std::move(prepared.resume);
  RunOutcome outcome = execute_run(*prepared.workflow, ctx, store, std::move(options), json);
  return report_run(store, prepared.run_id, json, outcome);
}

}  // namespace ork::host
