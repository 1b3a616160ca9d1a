// `ork validate FILE`: the typed DAG, or why it is refused.
// (`ork graph FILE` is in graph_command.cpp.)
#include "cli/cli.hpp"
#include "store/json_views.hpp"
#include "core/error.hpp"
#include "serve/api_json.hpp"
#include "workflow/duration.hpp"

#include <algorithm>
#include <iostream>

namespace ork::host {

namespace {

boost::json::object validate_json(const CompileResult& result, const std::string& file);
void print_typed_dag(const CliContext& ctx, const CompiledWorkflow& workflow);
std::string introspect_hint(const CliContext& ctx, const CompiledTask& task);
boost::json::object mapped_json(const CompiledTask& task);

}  // namespace

int validate_command(CliContext& ctx) {
  if (ctx.cl.positional.empty()) throw Error(ErrorKind::usage, "`ork validate` needs a workflow FILE");
  const std::string& file = ctx.cl.positional[0];
  CompileResult result = compile_workflow(file, *ctx.registry);
  if (result.workflow) ctx.registry->keep_signatures();
  if (ctx.cl.has("--json")) {
    std::cout << pretty_json(validate_json(result, file));
    return result.workflow ? exit_ok : exit_invalid;
  }
  if (!result.workflow) {
    for (const auto& d : result.errors) std::cerr << d.to_string() << '\n';
    std::cerr << "ork: workflow refused (" << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors")
              << ")\n";
    return exit_invalid;
  }
  print_typed_dag(ctx, *result.workflow);
  return exit_ok;
}

namespace {

boost::json::object validate_json(const CompileResult& result, const std::string& file) {
  boost::json::array errors;
  for (const auto& d : result.errors) {
    errors.push_back(boost::json::object{{"file", d.where.file.empty() ? file : d.where.file},
                                         {"line", d.where.line},
                                         {"col", d.where.col},
                                         {"message", d.message}});
  }
  boost::json::object tasks;
  if (result.workflow) {
    for (const auto& task : result.workflow->tasks) {
      boost::json::array deps;
      for (const auto& d : task.depends_on) deps.push_back(boost::json::value(d));
      boost::json::object inputs;
      for (const auto& [name, type] : task.signature.inputs) inputs[name] = type.to_structural_string();
      boost::json::array defaults;
      for (const auto& d : task.signature.defaults) defaults.push_back(boost::json::value(d));
      tasks[task.name] = boost::json::object{
          {"executor", task.executor},
          {"depends_on", std::move(deps)},
          {"inputs", std::move(inputs)},
          {"defaults", std::move(defaults)},
          {"output", task.signature.output.to_structural_string()},
          {"typed", task.signature.declared}};
      // Only when set, so the shape of a workflow that uses neither stays as it was.
      auto& shown = tasks[task.name].as_object();
      if (task.trigger_rule != TriggerRule::all_succeeded) shown["trigger_rule"] = trigger_rule_name(task.trigger_rule);
      if (task.when) shown["when"] = task.when->text;
      // A Python task's executor already names its language: only other languages add the field.
      if (!task.language.empty() && task.language != task.executor) shown["language"] = task.language;
      if (!task.map.empty()) shown["map"] = mapped_json(task);
      if (task.cache) shown["cache"] = cache_json(task);
    }
  }
  boost::json::object out{{"ok", result.workflow.has_value()}, {"errors", std::move(errors)}};
  if (result.workflow) out["workflow"] = result.workflow->name;
  out["tasks"] = std::move(tasks);
  return out;
}

void print_typed_dag(const CliContext& ctx, const CompiledWorkflow& workflow) {
  std::cout << "workflow " << workflow.name << " is valid: " << workflow.tasks.size()
            << (workflow.tasks.size() == 1 ? " task" : " tasks") << "\n";
  int untyped = 0;
  for (const auto& task : workflow.tasks) {
    // A function-task shows its language; "[python]" when language and executor share the name.
    bool other_language = !task.language.empty() && task.language != task.executor;
    std::cout << "  " << task.name << " [" << (other_language ? task.language + " on " : "") << task.executor << "]";
    if (!task.depends_on.empty()) {
      std::cout << " after ";
      for (std::size_t i = 0; i < task.depends_on.size(); ++i) std::cout << (i ? ", " : "") << task.depends_on[i];
    }
    std::cout << "\n    (";
    bool first = true;
    for (const auto& [name, type] : task.signature.inputs) {
      std::cout << (first ? "" : ", ") << name << ": " << type.to_string()
                << (task.signature.has_default(name) ? " = …" : "");
      first = false;
    }
    std::cout << ") -> " << task.signature.output.to_string();
    if (!task.signature.declared && (task.signature.output.is_any() || !task.inputs.empty())) {
      std::cout << "   ! untyped: declare input_type/output_type" << introspect_hint(ctx, task);
      ++untyped;
    }
    std::cout << "\n";
    if (task.trigger_rule != TriggerRule::all_succeeded) {
      std::cout << "    trigger_rule: " << trigger_rule_name(task.trigger_rule) << "\n";
    }
    if (task.when) std::cout << "    when: " << task.when->text << "\n";
    for (const InputBinding& binding : task.map) {
      std::cout << "    map: " << binding.name << " <- each element of " << binding_source_text(binding) << "\n";
    }
    if (task.cache) {
      std::string code;
      for (const std::string& file : task.cache->code_files) code += (code.empty() ? "" : ", ") + file;
      std::cout << "    cache: " << (task.cache->ttl.count() > 0 ? "ttl " + format_duration(task.cache->ttl) : "no ttl")
                << (task.cache->version.empty() ? "" : ", version " + task.cache->version)
                << "; code: " << (code.empty() ? "its version only" : code) << "\n";
    }
  }
  if (untyped > 0) {
    std::cout << untyped << (untyped == 1 ? " task has" : " tasks have")
              << " no declared signature; its edges are not type-checked\n";
  }
}

// `map:` of a mapped task: parameter -> the list it is mapped over.
boost::json::object mapped_json(const CompiledTask& task) {
  boost::json::object mapped;
  for (const InputBinding& binding : task.map) mapped[binding.name] = binding_source_text(binding);
  return mapped;
}

// An executor with an `introspect` key (process) can ask an SDK-built program
// for its signature, but only when told to: running every untyped program
// with an unknown flag at validate time could have effects.
std::string introspect_hint(const CliContext& ctx, const CompiledTask& task) {
  const ExecutorInfo* info = ctx.registry->find_executor(task.executor);
  if (info == nullptr) return "";
  const std::vector<std::string>& keys = info->task_keys;
  if (std::find(keys.begin(), keys.end(), "introspect") == keys.end()) return "";
  return ", or set introspect: true for a program built with an ork SDK";
}

}  // namespace

}  // namespace ork::host
