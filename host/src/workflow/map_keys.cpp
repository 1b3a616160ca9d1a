// The `map:` task key (issue 14, typed fan-out over a list) as the workflow
// compiler reads it: each entry binds one parameter to a list, in any form
// `inputs:` accepts. Kept apart from task_reader.cpp so that other work on
// the reader does not edit the same lines; its typing is map_check.cpp.
#include "workflow/workflow_compiler.hpp"

namespace ork::host::compiling {

void WorkflowCompiler::read_map(const MapEntry& key, const std::string& context, TaskDraft& draft) {
  CompiledTask& task = draft.task;
  if (!key.value.is_map() || key.value.size() == 0) {
    add(key.value_where, context +
                             "\"map\" must be a mapping of parameter -> list, such as {path: {from: list_files}}, "
                             "not " +
                             describe_node(key.value));
    return;
  }
  for (const MapEntry& entry : map_entries(key.value, file_, errors_, context, "mapped parameter")) {
    if (entry.key == "upstream") {
      add(entry.key_where, context + "\"upstream\" is a reserved input name and cannot be mapped");
      continue;
    }
    draft.map_key_where[entry.key] = entry.key_where;
    if (std::optional<InputBinding> binding =
            read_binding(entry, "task \"" + task.name + "\" map \"" + entry.key + "\": ")) {
      task.map.push_back(std::move(*binding));
    } else {
      draft.refused_inputs.push_back(entry.key);
    }
  }
}

void WorkflowCompiler::apply_map_outputs() {
  for (TaskDraft& draft : drafts_) {
    CompiledTask& task = draft.task;
    if (task.map.empty()) continue;
    task.instance_output = task.signature.output;
    task.signature.output = Type::list(task.instance_output);
  }
}

}  // namespace ork::host::compiling
