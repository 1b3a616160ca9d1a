#include "scheduler/rerun.hpp"

#include "core/error.hpp"
#include "workflow/compiler.hpp"

namespace ork::host {

namespace {

constexpr std::string_view plain_prefix = "rerun:";
constexpr std::string_view from_failure_prefix = "rerun-from-failure:";

std::vector<std::string> reuse_succeeded(Store& store, const RunDetail& source, const CompiledWorkflow& workflow,
                                         const std::string& run_id);

}  // namespace

PreparedRerun prepare_rerun(Store& store, const PluginRegistry& plugins, std::string_view source_run,
                            bool from_failure, const std::string& owner) {
  RunDetail source = store.get_run(source_run);  // throws not_found
  const std::string& source_id = source.run.run_id;
  if (source.run.status == "running" || source.run.status == "pending") {
    throw Error(ErrorKind::usage, "run " + source_id + " is still " + source.run.status +
                                      "; wait for it to finish (or cancel it) before re-running it");
  }
  if (from_failure && source.run.status == "succeeded") {
    throw Error(ErrorKind::usage, "run " + source_id + " succeeded: there is no failure to re-run from "
                                  "(re-run it without from-failure to run every task again)");
  }
  WorkflowVersionRow version = store.get_workflow_version(source.run.workflow_version_id);
  CompileResult compiled = compile_workflow_source(version.source, version.file, plugins);
  if (!compiled.workflow) {
    throw Error(ErrorKind::invalid_workflow, "the recorded workflow of run " + source_id +
                                                 " no longer compiles here (" + compiled.errors.front().to_string() +
                                                 "); trigger the current version instead");
  }
  PreparedRerun out;
  out.workflow = std::make_shared<const CompiledWorkflow>(std::move(*compiled.workflow));
  out.source_run_id = source_id;
  if (source.run.inputs.is_object()) out.inputs = source.run.inputs.as_object();
  RunRequest request;
  request.inputs = out.inputs;
  request.trigger = std::string(from_failure ? from_failure_prefix : plain_prefix) + source_id;
  request.owner = owner;
  out.run_id = record_run(store, *out.workflow, request).run_id;
  claim_new_run(store, out.run_id, owner);
  if (from_failure) {
    out.reused = reuse_succeeded(store, source, *out.workflow, out.run_id);
    out.resume = store.get_run(out.run_id);
  }
  return out;
}

std::string rerun_source(std::string_view trigger, bool* from_failure) {
  if (from_failure) *from_failure = trigger.starts_with(from_failure_prefix);
  if (trigger.starts_with(from_failure_prefix)) return std::string(trigger.substr(from_failure_prefix.size()));
  if (trigger.starts_with(plain_prefix)) return std::string(trigger.substr(plain_prefix.size()));
  return "";
}

namespace {

// Records each task that succeeded in `source` as succeeded in the new run,
// with the same output, before the scheduler starts; the system log line is
// where the UI and `ork logs` show which run the output came from.
std::vector<std::string> reuse_succeeded(Store& store, const RunDetail& source, const CompiledWorkflow& workflow,
                                         const std::string& run_id) {
  std::vector<std::string> reused;
  std::vector<TaskTransition> transitions;
  std::vector<NewLogLine> notes;
  const Millis now = now_millis();
  for (const auto& [task, state] : source.tasks) {
    // An instance of a mapped task too ("count[3]"): the lists it was mapped
    // over come from upstream tasks that succeeded, reused as they were.
    const std::optional<InstanceName> instance = parse_instance_name(task);
    const CompiledTask* spec = workflow.find_task(instance ? instance->parent : task);
    if ((state.status != "succeeded" && state.status != "cached") || !spec || (instance && spec->map.empty())) continue;
    transitions.push_back(TaskTransition{run_id, task, 0, "succeeded", now, boost::json::serialize(state.output), "", 0});
    notes.push_back(NewLogLine{run_id, task, 0, ORK_LOG_SYSTEM, now,
                               "output reused from run " + source.run.run_id + ", where this task succeeded; not executed again"});
    reused.push_back(task);
  }
  if (!transitions.empty()) store.update_tasks(transitions);
  if (!notes.empty()) store.append_logs(notes);
  return reused;
}

}  // namespace

}  // namespace ork::host
