#include "workflow/map_check.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "types/assignability.hpp"
#include "types/temporal.hpp"
#include "workflow/suggest.hpp"
#include "workflow/trigger_rules.hpp"

namespace ork::host {

namespace {

using TaskMap = std::map<std::string, const TaskDraft*, std::less<>>;

void check_task_map(const TaskDraft& draft, const TaskMap& tasks, const std::vector<WorkflowInput>& inputs,
                    std::vector<Diagnostic>& errors);

}  // namespace

void check_maps(const std::vector<TaskDraft>& drafts, const std::vector<WorkflowInput>& workflow_inputs,
                std::vector<Diagnostic>& errors) {
  TaskMap tasks;
  for (const TaskDraft& draft : drafts) tasks.emplace(draft.task.name, &draft);
  for (const TaskDraft& draft : drafts) {
    if (!draft.task.map.empty()) check_task_map(draft, tasks, workflow_inputs, errors);
  }
}

namespace {

// What a mapped parameter is bound to: the list's type (nullopt when already
// reported) and how to name it in messages.
struct MappedSource {
  std::optional<Type> type;
  std::string label;
};

class TaskMapChecker {
 public:
  TaskMapChecker(const TaskDraft& draft, const TaskMap& tasks, const std::vector<WorkflowInput>& inputs,
                 std::vector<Diagnostic>& errors)
      : draft_(draft), task_(draft.task), tasks_(tasks), inputs_(inputs), errors_(errors) {}

  void run() {
    for (const auto& [name, type] : task_.signature.inputs) parameters_.push_back(name);
    for (const InputBinding& binding : task_.map) check_one(binding);
  }

 private:
  void check_one(const InputBinding& binding) {
    const std::string context = "task \"" + task_.name + "\" map \"" + binding.name + "\": ";
    const SourceLocation key_where = where_of_key(binding.name);
    if (const InputBinding* input = find_input(binding.name)) {
      errors_.push_back({input->where, "task \"" + task_.name + "\": parameter \"" + binding.name +
                                           "\" is both mapped (map:) and bound in inputs:; keep one (a mapped "
                                           "parameter receives one element of the list per instance)"});
    }
    const Type* parameter = parameter_type(binding.name);
    if (task_.signature.declared && !parameter) {
      errors_.push_back({key_where, context + "task \"" + task_.name + "\" has no parameter \"" + binding.name +
                                        "\"" + did_you_mean(binding.name, parameters_) +
                                        (parameters_.empty() ? "; it takes no parameters"
                                                             : "; parameters: " + join_names(parameters_))});
    }
    MappedSource source = source_of(binding, context, parameter);
    if (!source.type || source.type->is_any()) return;
    const Type& list = *source.type;
    const bool is_list = list.kind() == TypeKind::list || (list.kind() == TypeKind::tuple && list.variadic());
    if (!is_list) {
      errors_.push_back({binding.where, context + "map over a non-list: " + source.label + " is " + list.to_string() +
                                            "; map needs a list (list[T]) and runs the task once per element" +
                                            optional_note(list)});
      return;
    }
    if (!parameter) return;
    const Type& element = list.item();
    Assignability fits = is_assignable(element, *parameter);
    if (fits) return;
    std::string detail = fits.plain ? "" : ": " + fits.reason;
    errors_.push_back({binding.where, context + "the elements of " + source.label + " (" + list.to_string() +
                                          ") are " + element.to_string() + ", but parameter \"" + binding.name +
                                          "\" expects " + parameter->to_string() + detail});
  }

  MappedSource source_of(const InputBinding& binding, const std::string& context, const Type* parameter) {
    switch (binding.kind) {
      case InputBinding::Kind::constant: {
        std::string label = "the constant " + short_text(binding.constant);
        if (!binding.constant.is_array()) return {type_of_given(binding.constant, Type::any()).type, label};
        GivenType given = type_of_given(binding.constant, Type::list(parameter ? *parameter : Type::any()));
        if (!given.problem.empty()) {
          errors_.push_back({binding.where, context + "the constant " + given.problem});
          return {std::nullopt, label};
        }
        return {given.type, label};
      }
      case InputBinding::Kind::task_output: {
        auto upstream = tasks_.find(binding.task);
        if (upstream == tasks_.end()) return {std::nullopt, ""};  // reported by task_graph
        PathLookup lookup = type_at_path(upstream->second->task.signature.output, binding.path, binding.task);
        if (!lookup.type) {
          errors_.push_back({binding.where, context + lookup.error});
          return {std::nullopt, ""};
        }
        std::string label = binding.path.empty() ? "the output of " + binding.task
                                                 : binding.task + "." + join_names(binding.path, ".");
        Type type = *lookup.type;
        // Under a rule that runs the task without every upstream having
        // succeeded, the list may be null (as for inputs, binding_check.cpp).
        if (may_run_without_every_upstream(task_.trigger_rule) && !type.is_any()) type = Type::optional(type);
        return {type, label};
      }
      case InputBinding::Kind::workflow_input: {
        auto input = std::find_if(inputs_.begin(), inputs_.end(),
                                  [&](const WorkflowInput& i) { return i.name == binding.workflow_input; });
        if (input == inputs_.end()) {
          std::vector<std::string> names;
          for (const WorkflowInput& i : inputs_) names.push_back(i.name);
          errors_.push_back({binding.where, context + "{input: " + binding.workflow_input +
                                                "} names no workflow input \"" + binding.workflow_input + "\"" +
                                                did_you_mean(binding.workflow_input, names) +
                                                (names.empty() ? "; the workflow declares no inputs: block"
                                                               : "; workflow inputs: " + join_names(names))});
          return {std::nullopt, ""};
        }
        return {input->type, "workflow input \"" + input->name + "\""};
      }
    }
    return {std::nullopt, ""};
  }

  std::string optional_note(const Type& type) const {
    if (!type.is_optional()) return "";
    if (may_run_without_every_upstream(task_.trigger_rule)) {
      return " (with trigger_rule: " + trigger_rule_name(task_.trigger_rule) +
             " the task also runs when that upstream did not succeed, and the list would be null)";
    }
    return " (the value may be null)";
  }

  const Type* parameter_type(const std::string& name) const {
    for (const auto& [parameter, type] : task_.signature.inputs) {
      if (parameter == name) return &type;
    }
    return nullptr;
  }

  const InputBinding* find_input(const std::string& name) const {
    for (const InputBinding& binding : task_.inputs) {
      if (binding.name == name) return &binding;
    }
    return nullptr;
  }

  SourceLocation where_of_key(const std::string& name) const {
    auto found = draft_.map_key_where.find(name);
    return found == draft_.map_key_where.end() ? task_.where : found->second;
  }

  static std::string short_text(const boost::json::value& value) {
    std::string text = boost::json::serialize(value);
    return text.size() <= 40 ? text : text.substr(0, 37) + "...";
  }

  const TaskDraft& draft_;
  const CompiledTask& task_;
  const TaskMap& tasks_;
  const std::vector<WorkflowInput>& inputs_;
  std::vector<Diagnostic>& errors_;
  std::vector<std::string> parameters_;
};

void check_task_map(const TaskDraft& draft, const TaskMap& tasks, const std::vector<WorkflowInput>& inputs,
                    std::vector<Diagnostic>& errors) {
  TaskMapChecker(draft, tasks, inputs, errors).run();
}

}  // namespace

}  // namespace ork::host
