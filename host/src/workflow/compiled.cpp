#include "workflow/compiled.hpp"

#include <boost/json.hpp>

namespace ork::host {

std::string binding_source_text(const InputBinding& binding) {
  switch (binding.kind) {
    case InputBinding::Kind::constant:
      return boost::json::serialize(binding.constant);
    case InputBinding::Kind::task_output: {
      std::string text = binding.task;
      for (const std::string& segment : binding.path) text += "." + segment;
      return text;
    }
    case InputBinding::Kind::workflow_input:
      return "inputs." + binding.workflow_input;
  }
  return {};
}

namespace {

boost::json::object header_json(const CompiledWorkflow& workflow);
boost::json::object inputs_json(const std::vector<WorkflowInput>& inputs);
boost::json::object binding_json(const InputBinding& binding);

}  // namespace

std::string CompiledWorkflow::spec_text() const {
  // Measured first, then written into a buffer of that size: grown by
  // doubling, the text of 100 000 tasks briefly held its old and new buffers
  // (tens of MB each) at the run's peak of memory.
  std::size_t size = 0;
  write_spec_text([&](std::string_view piece) { size += piece.size(); });
  std::string text;
  text.reserve(size);
  write_spec_text([&](std::string_view piece) { text += piece; });
  return text;
}

void CompiledWorkflow::write_spec_text(const std::function<void(std::string_view)>& write) const {
  // serialize(spec_json()) without the whole object at once: "tasks" is its
  // last key, so its text is the rest of the object's with the tasks'
  // entries appended one at a time (same bytes, same content hash).
  boost::json::object json = header_json(*this);
  std::string text = boost::json::serialize(json);
  text.pop_back();  // the closing brace
  text += json.empty() ? "\"tasks\":{" : ",\"tasks\":{";
  write(text);
  bool first = true;
  for (const CompiledTask& task : tasks) {
    text.clear();
    if (!first) text += ',';
    first = false;
    text += boost::json::serialize(boost::json::string_view(task.name));
    text += ':';
    text += boost::json::serialize(task_spec_json(task));
    write(text);
  }
  write("}}");
}

boost::json::object CompiledWorkflow::spec_json() const {
  boost::json::object json = header_json(*this);
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
  if (!task.map.empty()) {  // absent for an ordinary task, so its content hash is unchanged
    boost::json::object mapped;
    for (const InputBinding& binding : task.map) mapped[binding.name] = binding_json(binding);
    json["map"] = std::move(mapped);
  }
  // The settings only: the code hash is not part of the version (a changed
  // task file is the same workflow), it goes into each attempt's cache key.
  if (task.cache) {
    boost::json::object cache;
    if (task.cache->ttl.count() > 0) cache["ttl_ms"] = task.cache->ttl.count();
    if (!task.cache->version.empty()) cache["version"] = task.cache->version;
    json["cache"] = std::move(cache);
  }
  json["signature"] = task.signature.to_json();
  // The same types as written (`LoadResult`, not its fields), so that a run's
  // page names types as the workflow page does (the API's run graph).
  boost::json::object named_inputs;
  for (const auto& [param, type] : task.signature.inputs) named_inputs[param] = type.to_string();
  json["signature_named"] = boost::json::object{{"inputs", std::move(named_inputs)}, {"output", task.signature.output.to_string()}};
  return json;
}

namespace {

boost::json::object header_json(const CompiledWorkflow& workflow) {
  boost::json::object json;
  json["name"] = workflow.name;
  json["description"] = workflow.description;
  json["file"] = workflow.file.string();
  json["schedule"] = workflow.schedule;
  json["timezone"] = workflow.timezone;
  if (workflow.concurrency > 0) json["concurrency"] = workflow.concurrency;
  if (workflow.max_active_runs > 0) json["max_active_runs"] = workflow.max_active_runs;
  // Absent when unset: old versions keep their hash.
  if (workflow.timeout.count() > 0) json["timeout_ms"] = workflow.timeout.count();
  if (!workflow.pools.empty()) {
    boost::json::object pool_sizes;
    for (const auto& [name, size] : workflow.pools) pool_sizes[name] = size;
    json["pools"] = std::move(pool_sizes);
  }
  json["inputs"] = inputs_json(workflow.inputs);
  return json;
}

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
