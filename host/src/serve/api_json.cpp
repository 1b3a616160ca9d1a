#include "serve/api_json.hpp"

namespace ork::host {

namespace json = boost::json;

json::array errors_json(const std::vector<Diagnostic>& errors) {
  json::array out;
  for (const Diagnostic& d : errors) {
    out.push_back(json::object{{"file", d.where.file}, {"line", d.where.line}, {"col", d.where.col}, {"message", d.message}});
  }
  return out;
}

json::object compiled_task_json(const CompiledTask& task) {
  json::object inputs;
  json::object inputs_structural;
  for (const auto& [param, type] : task.signature.inputs) {
    inputs[param] = type.to_string();
    inputs_structural[param] = type.to_structural_string();
  }
  json::array depends_on;
  for (const auto& d : task.depends_on) depends_on.emplace_back(d);
  json::object mapped;  // `map:` parameter -> the list it is mapped over; empty for an ordinary task
  for (const InputBinding& binding : task.map) mapped[binding.name] = binding_source_text(binding);
  return json::object{{"name", task.name},
                      {"executor", task.executor},
                      {"language", task.language},  // "" unless a function-task of a language plugin
                      {"description", task.description},
                      {"depends_on", std::move(depends_on)},
                      {"signature_declared", task.signature.declared},
                      {"inputs", std::move(inputs)},
                      {"inputs_structural", std::move(inputs_structural)},
                      {"output", task.signature.output.to_string()},
                      {"output_structural", task.signature.output.to_structural_string()},
                      {"trigger_rule", trigger_rule_name(task.trigger_rule)},
                      {"when", task.when ? json::value(task.when->text) : json::value(nullptr)},
                      {"map", std::move(mapped)},
                      {"cache", cache_json(task)}};
}

json::value cache_json(const CompiledTask& task) {
  if (!task.cache) return nullptr;
  json::array files;
  for (const std::string& file : task.cache->code_files) files.emplace_back(file);
  return json::object{{"ttl_ms", task.cache->ttl.count() > 0 ? json::value(task.cache->ttl.count()) : json::value(nullptr)},
                      {"version", task.cache->version.empty() ? json::value(nullptr) : json::value(task.cache->version)},
                      {"code_files", std::move(files)}};
}

std::string input_kind(const Type& type) {
  switch (type.without_null().kind()) {
    case TypeKind::boolean: return "bool";
    case TypeKind::integer: return "int";
    case TypeKind::number: return "float";
    case TypeKind::string: return "str";
    case TypeKind::date: return "date";
    case TypeKind::datetime: return "datetime";
    default: return "json";
  }
}

// 400 naming every bad input at once (`fields`: input name -> problem), so a
// form can mark each field instead of the first only.
ApiResponse bad_inputs(const std::vector<InputProblem>& problems) {
  json::object fields;
  std::string message = std::to_string(problems.size()) + (problems.size() == 1 ? " input is" : " inputs are") + " wrong:";
  for (const InputProblem& p : problems) {
    fields[p.input] = p.message;
    message += " input '" + p.input + "': " + p.message + ";";
  }
  message.back() = '.';
  return ApiResponse::json(
      json::object{{"error", json::object{{"status", 400}, {"message", message}, {"fields", std::move(fields)}}}}, 400);
}

// The DAG a run executes, from the workflow version it recorded: runs of
// other processes, or of files no longer served, still draw.
json::array graph_json(Store& store, std::int64_t version_id) {
  WorkflowVersionRow version = store.get_workflow_version(version_id);
  json::array tasks;
  const json::object* spec_tasks = nullptr;
  if (version.spec.is_object()) {
    if (auto* t = version.spec.as_object().if_contains("tasks"); t && t->is_object()) spec_tasks = &t->as_object();
  }
  if (!spec_tasks) return tasks;
  for (const auto& [name, spec] : *spec_tasks) {
    if (!spec.is_object()) continue;
    const json::object& task = spec.as_object();
    json::object node{{"name", name},
                      {"executor", task.contains("executor") ? task.at("executor") : json::value("")},
                      // Recorded for languages not named like their executor (python tasks: "").
                      {"language", task.contains("language") ? task.at("language") : json::value("")},
                      {"depends_on", task.contains("depends_on") ? task.at("depends_on") : json::array{}},
                      {"inputs", json::object{}},
                      {"output", "Any"},
                      // Absent from the spec when the default / not set (versions recorded before issue 14 too).
                      {"trigger_rule", task.contains("trigger_rule") ? task.at("trigger_rule") : json::value("all_succeeded")},
                      {"when", task.contains("when") ? task.at("when") : json::value(nullptr)}};
    // Structural types for the tooltip; named ones (versions recorded since
    // `signature_named`) for the node, as on the workflow page.
    if (auto* sig = task.if_contains("signature"); sig && sig->is_object()) {
      if (auto* in = sig->as_object().if_contains("inputs")) node["inputs"] = node["inputs_structural"] = *in;
      if (auto* out = sig->as_object().if_contains("output")) node["output"] = node["output_structural"] = *out;
    }
    if (auto* named = task.if_contains("signature_named"); named && named->is_object()) {
      if (auto* in = named->as_object().if_contains("inputs")) node["inputs"] = *in;
      if (auto* out = named->as_object().if_contains("output")) node["output"] = *out;
    }
    if (auto* bindings = task.if_contains("inputs")) node["bindings"] = *bindings;
    node["map"] = json::object{};  // `map:` parameter -> binding (spec form); empty for an ordinary task
    if (auto* mapped = task.if_contains("map"); mapped && mapped->is_object()) node["map"] = *mapped;
    tasks.push_back(std::move(node));
  }
  return tasks;
}

}  // namespace ork::host
