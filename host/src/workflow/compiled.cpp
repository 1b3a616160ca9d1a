#include "workflow/compiled.hpp"

#include <boost/json.hpp>

namespace ork::host {

namespace {

boost::json::object inputs_json(const std::vector<WorkflowInput>& inputs);
boost::json::object binding_json(const InputBinding& binding);

}  // namespace

boost::json::object CompiledWorkflow::spec_json() const {
  boost::json::object json;
  json["name"] = name;
  json["description"] = description;
  json["file"] = file.string();
  json["schedule"] = schedule;
  json["timezone"] = timezone;
  if (concurrency > 0) json["concurrency"] = concurrency;
  if (max_active_runs > 0) json["max_active_runs"] = max_active_runs;
  if (timeout.count() > 0) json["timeout_ms"] = timeout.count();  // absent when unset: old versions keep their hash
  if (!pools.empty()) {
    boost::json::object pool_sizes;
    for (const auto& [name, size] : pools) pool_sizes[name] = size;
    json["pools"] = std::move(pool_sizes);
  }
  json["inputs"] = inputs_json(inputs);
  boost::json::object task_map;
  for (const CompiledTask& task : tasks) task_map[task.name] = task_spec_json(task);
  json["tasks"] = std::move(task_map);
  return json;
}

const CompiledTask* CompiledWorkflow::find_task(std::string_view wanted) const {
  for (const CompiledTask& task : tasks) {
    if (task.name == wanted) return &task;
  }
  return nullptr;
}

boost::json::object task_spec_json(const CompiledTask& task) {
  boost::json::object json;
  json["executor"] = task.executor;
  json["description"] = task.description;
  json["config"] = task.config;
  // Absent for tasks without a language and for languages named like their
  // executor (python, whose config is its source): their content hash stays.
  if (!task.language.empty() && task.language != task.executor) {
    json["language"] = task.language;
    json["source"] = task.source;
  }
  boost::json::object bindings;
  for (const InputBinding& binding : task.inputs) bindings[binding.name] = binding_json(binding);
  json["inputs"] = std::move(bindings);
  boost::json::array depends_on;
  for (const std::string& upstream : task.depends_on) depends_on.emplace_back(upstream);
  json["depends_on"] = std::move(depends_on);
  boost::json::object env;
  for (const auto& [key, value] : task.env) env[key] = value;
  json["env"] = std::move(env);
  json["workdir"] = task.workdir.string();
  json["timeout_ms"] = task.timeout.count();
  json["retries"] = task.retries;
  json["retry_delay_ms"] = task.retry_delay.count();
  json["max_concurrency"] = task.max_concurrency;
  json["max_retry_delay_ms"] = task.max_retry_delay.count();
  if (!task.pool.empty()) json["pool"] = task.pool;
  // Absent when the default, so workflows written before trigger rules keep their content hash.
  if (task.trigger_rule != TriggerRule::all_succeeded) json["trigger_rule"] = trigger_rule_name(task.trigger_rule);
  if (task.when) json["when"] = task.when->text;
  json["signature"] = task.signature.to_json();
  // The same types as written (`LoadResult`, not its fields), so that a run's
  // page names types as the workflow page does (the API's run graph).
  boost::json::object named_inputs;
  for (const auto& [param, type] : task.signature.inputs) named_inputs[param] = type.to_string();
  json["signature_named"] = boost::json::object{{"inputs", std::move(named_inputs)}, {"output", task.signature.output.to_string()}};
  return json;
}

namespace {

boost::json::object inputs_json(const std::vector<WorkflowInput>& inputs) {
  boost::json::object json;
  for (const WorkflowInput& input : inputs) {
    boost::json::object entry;
    entry["type"] = input.type.to_structural_string();
    if (input.default_value) entry["default"] = *input.default_value;
    json[input.name] = std::move(entry);
  }
  return json;
}

boost::json::object binding_json(const InputBinding& binding) {
  switch (binding.kind) {
    case InputBinding::Kind::constant: return {{"kind", "constant"}, {"value", binding.constant}};
    case InputBinding::Kind::task_output: {
      boost::json::array path;
      for (const std::string& segment : binding.path) path.emplace_back(segment);
      return {{"kind", "task_output"}, {"task", binding.task}, {"path", std::move(path)}};
    }
    case InputBinding::Kind::workflow_input: return {{"kind", "workflow_input"}, {"input", binding.workflow_input}};
  }
  return {};
}

}  // namespace

}  // namespace ork::host
