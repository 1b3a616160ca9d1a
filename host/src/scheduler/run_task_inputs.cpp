#include "scheduler/run_state.hpp"


#include <algorithm>
#include <cstdlib>

namespace ork::host {

const boost::json::value* value_at_path(const boost::json::value& value, const std::vector<std::string>& path,
                                        std::string& missing) {
  const boost::json::value* v = &value;
  for (const auto& segment : path) {
    if (v->is_object()) {
      v = v->as_object().if_contains(segment);
    } else if (v->is_array()) {
      char* end = nullptr;
      unsigned long index = std::strtoul(segment.c_str(), &end, 10);
      const auto& array = v->as_array();
      v = (end && *end == '\0' && !segment.empty() && index < array.size()) ? &array[index] : nullptr;
    } else {
      v = nullptr;
    }
    if (!v) {
      missing = segment;
      return nullptr;
    }
  }
  return v;
}

namespace {

bool is_map_source(const CompiledTask& spec, const std::string& task) {
  return std::any_of(spec.map.begin(), spec.map.end(), [&](const InputBinding& b) {
    return b.kind == InputBinding::Kind::task_output && b.task == task;
  });
}

}  // namespace

std::string RunScheduler::State::build_input(const TaskRuntime& task, std::string& error) {
  boost::json::object input;
  for (const auto& binding : task.spec->inputs) {
    switch (binding.kind) {
      case InputBinding::Kind::constant:
        input[binding.name] = binding.constant;
        break;
      case InputBinding::Kind::workflow_input:
        if (auto* v = options.workflow_inputs.if_contains(binding.workflow_input)) {
          input[binding.name] = *v;
        } else {
          input[binding.name] = nullptr;
        }
        break;
      case InputBinding::Kind::task_output: {
        const TaskRuntime& upstream_task = tasks[index.at(binding.task)];
        if (upstream_task.phase != Phase::succeeded) {  // a trigger rule ran this task anyway: null (typed T | None)
          input[binding.name] = nullptr;
          break;
        }
        const boost::json::value& upstream_output = upstream_task.output;
        std::string missing;
        const boost::json::value* v = value_at_path(upstream_output, binding.path, missing);
        if (!v) {
          error = "input '" + binding.name + "': the output of task '" + binding.task + "' has no '" + missing +
                  "' (reference " + binding.task;
          for (const auto& p : binding.path) error += "." + p;
          error += ")";
          return {};
        }
        input[binding.name] = *v;
        break;
      }
    }
  }
  if (task.is_instance()) add_mapped_inputs(task, input);
  boost::json::object upstream;
  for (const auto& dep : task.spec->depends_on) {
    // An instance gets its element, not the whole list again: N instances
    // each sent a list of N would cost N^2 (docs/workflows.md, "map").
    if (task.is_instance() && is_map_source(*task.spec, dep)) continue;
    upstream[dep] = tasks[index.at(dep)].output;
  }
  input["upstream"] = std::move(upstream);
  return boost::json::serialize(input);
}

}  // namespace ork::host
