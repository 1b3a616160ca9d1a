// The workflow compiler's checks of each task against its executor
// (workflow_compiler.hpp): the executor's check_task with its signature,
// then `input_type:` / `output_type:` written in the file over it.
#include "workflow/workflow_compiler.hpp"

#include <atomic>
#include <cstdint>

namespace ork::host::compiling {

void WorkflowCompiler::check_with_executors() {
  // A refused value left nulls in task settings: the executors' complaints
  // about them would only hide the real error.
  if (values_.refused_any()) return;
  // One number for this compile's checks: an executor may look up what many
  // tasks share (a program on PATH) once per compile, not once per task.
  static std::atomic<std::uint64_t> last_check_pass{0};
  const std::uint64_t check_pass = ++last_check_pass;
  for (TaskDraft& draft : drafts_) {
    if (draft.language != nullptr) {
      check_language_task(draft, check_pass);
      continue;
    }
    if (draft.executor == nullptr) continue;
    TaskCheckRequest request{workflow_.name,
                             workflow_.file.string(),
                             workflow_.dir.string(),
                             draft.task.name,
                             boost::json::serialize(draft.task.config),
                             draft.task.workdir.string(),
                             {},
                             check_pass};
    for (const auto& [key, value] : draft.task.env) request.env.push_back(key + "=" + value);
    const std::string context = "task \"" + draft.task.name + "\": ";
    TaskCheckResult result;
    try {
      result = executors_.check_task(draft.executor->name, request);
    } catch (const std::exception& e) {
      add(draft.task.where,
          context + "executor \"" + draft.executor->name + "\" failed while checking the task: " + e.what());
      continue;
    }
    for (const auto& [key, message] : result.errors) add(draft.where_of(key), context + message);
    if (draft.task.cache && result.errors.empty()) settle_code_identity(draft, result, context);
    if (!result.signature_json) continue;
    try {
      draft.task.signature = parse_signature_json(*result.signature_json, named_types_.resolver());
    } catch (const TypeError& e) {
      add(draft.task.where,
          context + "executor \"" + draft.executor->name + "\" reported an invalid signature: " + e.describe());
    }
  }
}

void WorkflowCompiler::apply_declared_types() {
  for (TaskDraft& draft : drafts_) {
    Signature& signature = draft.task.signature;
    if (draft.input_type) {
      signature.declared = true;
      signature.inputs.clear();
      signature.defaults.clear();
      signature.whole_input.reset();
      for (const Field& field : draft.input_type->fields()) {
        signature.inputs.emplace_back(field.name, field.type);
        if (field.optional) signature.defaults.push_back(field.name);
      }
    }
    if (draft.output_type) signature.output = *draft.output_type;
  }
}

}  // namespace ork::host::compiling
