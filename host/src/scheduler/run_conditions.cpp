#include "scheduler/run_state.hpp"

namespace ork::host {

std::optional<std::string> RunScheduler::State::condition_refusal(const TaskRuntime& task) const {
  if (!task.spec->when) return std::nullopt;
  ConditionPathValue value_of = [this](const ConditionPath& path) -> boost::json::value {
    std::string missing;
    if (path.root == "inputs") {
      const boost::json::value* input = options.workflow_inputs.if_contains(path.fields.front());
      if (!input) return nullptr;
      const boost::json::value* v =
          value_at_path(*input, std::vector<std::string>(path.fields.begin() + 1, path.fields.end()), missing);
      return v ? *v : boost::json::value(nullptr);
    }
    auto found = index.find(path.root);
    if (found == index.end()) return nullptr;
    const TaskRuntime& upstream = tasks[found->second];
    if (upstream.phase != Phase::succeeded) return nullptr;  // ran anyway under a trigger rule: null, as its inputs
    const boost::json::value* v = value_at_path(upstream.output, path.fields, missing);
    return v ? *v : boost::json::value(nullptr);
  };
  if (evaluate_condition(*task.spec->when, value_of)) return std::nullopt;
  return "condition is false: when: " + task.spec->when->text;
}

void RunScheduler::State::admit_roots(std::vector<Skip>& skipped) {
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    TaskRuntime& task = tasks[i];
    if (task.phase != Phase::waiting || task.unmet_dependencies != 0) continue;
    if (std::optional<std::string> reason = condition_refusal(task)) {
      task.phase = Phase::skipped;
      --unfinished;
      skipped.push_back({i, *reason});
      settle_downstream(i, skipped);
      continue;
    }
    task.phase = Phase::ready;
    ready.push_back(i);
  }
}

}  // namespace ork::host
