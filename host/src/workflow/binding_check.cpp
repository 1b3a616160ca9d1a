#include "workflow/binding_check.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>

#include "types/assignability.hpp"
#include "types/temporal.hpp"
#include "workflow/suggest.hpp"

namespace ork::host {

namespace {

using TaskMap = std::map<std::string, const TaskDraft*, std::less<>>;

void check_workflow_input_references(const TaskDraft& draft, const std::vector<WorkflowInput>& inputs,
                                     std::vector<Diagnostic>& errors);
void check_task_bindings(const TaskDraft& draft, const TaskMap& tasks, const std::vector<WorkflowInput>& inputs,
                         std::vector<Diagnostic>& errors);
void check_reference_paths(const TaskDraft& draft, const TaskMap& tasks, std::vector<Diagnostic>& errors);

}  // namespace

void check_bindings(const std::vector<TaskDraft>& drafts, const std::vector<WorkflowInput>& workflow_inputs,
                    std::vector<Diagnostic>& errors) {
  TaskMap tasks;
  for (const TaskDraft& draft : drafts) tasks.emplace(draft.task.name, &draft);
  for (const TaskDraft& draft : drafts) {
    check_workflow_input_references(draft, workflow_inputs, errors);
    if (draft.task.signature.declared) {
      check_task_bindings(draft, tasks, workflow_inputs, errors);
    } else {
      check_reference_paths(draft, tasks, errors);
    }
  }
}

namespace {

// Checks one task's parameters against what binds them, in the order docs/workflows.md gives.
class TaskBindingChecker {
 public:
  TaskBindingChecker(const TaskDraft& draft, const TaskMap& tasks, const std::vector<WorkflowInput>& inputs,
                     std::vector<Diagnostic>& errors)
      : draft_(draft), task_(draft.task), tasks_(tasks), inputs_(inputs), errors_(errors) {}

  void run() {
    collect_parameters();
    if (!accepts_anything_) report_unknown_inputs();
    for (const Parameter& parameter : parameters_) bind(parameter);
  }

 private:
  struct Parameter {
    std::string name;
    Type type;
    bool has_default = false;
    std::string label;  // `parameter "x"`, or `field "x" of parameter "input"` in the whole-input form
  };

  void collect_parameters() {
    const Signature& signature = task_.signature;
    std::optional<std::string> whole = signature.whole_input;
    if (whole && (find_binding(*whole) || is_upstream(*whole))) whole.reset();  // bound by name: an ordinary parameter
    for (const auto& [name, type] : signature.inputs) {
      if (whole && name == *whole) {
        add_whole_input_fields(name, type);
        continue;
      }
      parameters_.push_back(Parameter{name, type, signature.has_default(name), "parameter \"" + name + "\""});
    }
  }

  // The whole-input form (`def main(input: LoadInput)`): the object's fields
  // are bound as if they were parameters; optional fields act as defaults.
  void add_whole_input_fields(const std::string& name, const Type& type) {
    if (type.kind() != TypeKind::object) {
      accepts_anything_ = true;  // e.g. Any: whatever is passed, nothing to check against
      return;
    }
    for (const Field& field : type.fields()) {
      parameters_.push_back(Parameter{field.name, field.type, field.optional,
                                      "field \"" + field.name + "\" of parameter \"" + name + "\""});
    }
  }

  void report_unknown_inputs() {
    std::vector<std::string> names;
    for (const Parameter& parameter : parameters_) names.push_back(parameter.name);
    for (const InputBinding& binding : task_.inputs) {
      if (std::find(names.begin(), names.end(), binding.name) != names.end()) continue;
      errors_.push_back({binding.where, "task \"" + task_.name + "\" has no parameter \"" + binding.name + "\"" +
                                            did_you_mean(binding.name, names) +
                                            (names.empty() ? "; it takes no parameters" : "; parameters: " + join_names(names))});
    }
  }

  void bind(const Parameter& parameter) {
    if (is_mapped(parameter.name)) return;  // typed per element by map_check.cpp
    if (const InputBinding* binding = find_binding(parameter.name)) {
      check_explicit(*binding, parameter);
    } else if (is_upstream(parameter.name)) {
      check_whole_upstream(parameter);
    } else if (parameter.name == "upstream") {
      check_upstream_parameter(parameter);
    } else if (!parameter.has_default && !refused(parameter.name)) {
      errors_.push_back({task_.where, "task \"" + task_.name + "\": " + parameter.label + " (" +
                                          parameter.type.to_string() + ") is not bound: no input, no upstream task named \"" +
                                          parameter.name + "\", no default"});
    }
  }

  void check_explicit(const InputBinding& binding, const Parameter& parameter) {
    const std::string context = "task \"" + task_.name + "\"" + language_of(task_.name) + " input \"" + binding.name + "\": ";
    switch (binding.kind) {
      case InputBinding::Kind::constant: {
        GivenType given = type_of_given(binding.constant, parameter.type);  // "2024-05-01" is a date
        if (!given.problem.empty()) {
          errors_.push_back({binding.where, context + "the constant " + given.problem + " (" + parameter.label +
                                                " is " + parameter.type.to_string() + ")"});
          return;
        }
        const Type& type = given.type;
        check(binding.where, context, "the constant " + short_json(binding.constant) + " is " + type.to_string(), type,
              parameter);
        return;
      }
      case InputBinding::Kind::task_output: {
        PathLookup lookup = type_at_path(output_of(binding.task), binding.path, binding.task);
        if (!lookup.type) {
          errors_.push_back({binding.where, context + lookup.error});
          return;
        }
        std::string source = (binding.path.empty() ? "the output of " + binding.task
                                                   : binding.task + "." + join_names(binding.path, ".")) +
                             language_of(binding.task);
        Type received = received_from_upstream(*lookup.type);
        check(binding.where, context, source + " is " + received.to_string(), received, parameter,
              trigger_rule_note(binding.task, parameter));
        return;
      }
      case InputBinding::Kind::workflow_input: {
        auto input = std::find_if(inputs_.begin(), inputs_.end(),
                                  [&](const WorkflowInput& i) { return i.name == binding.workflow_input; });
        if (input == inputs_.end()) return;  // reported by check_workflow_input_references
        check(binding.where, context, "workflow input \"" + input->name + "\" is " + input->type.to_string(),
              input->type, parameter);
        return;
      }
    }
  }

  void check_whole_upstream(const Parameter& parameter) {
    Type output = received_from_upstream(output_of(parameter.name));
    check(upstream_location(parameter.name), "task \"" + task_.name + "\"" + language_of(task_.name) + " " + parameter.label + ": ",
          "the output of " + parameter.name + language_of(parameter.name) + " is " + output.to_string(), output, parameter,
          trigger_rule_note(parameter.name, parameter));
  }

  void check_upstream_parameter(const Parameter& parameter) {
    std::vector<Field> outputs;
    for (const std::string& upstream : task_.depends_on) {
      outputs.push_back(Field{upstream, received_from_upstream(output_of(upstream)), false});
    }
    Type type = Type::object(std::move(outputs));
    check(task_.where, "task \"" + task_.name + "\" " + parameter.label + ": ",
          "the upstream outputs are " + type.to_string(), type, parameter,
          task_.depends_on.empty() ? "" : trigger_rule_note(task_.depends_on.front(), parameter));
  }

  // What the task receives from an upstream output of type `output`: under a
  // trigger rule that runs it although an upstream did not succeed, that
  // upstream's place holds null (docs/types.md, "Trigger rules").
  Type received_from_upstream(const Type& output) const {
    if (!may_run_without_every_upstream(task_.trigger_rule) || output.is_any()) return output;
    return Type::optional(output);
  }

  std::string trigger_rule_note(const std::string& upstream, const Parameter& parameter) const {
    if (!may_run_without_every_upstream(task_.trigger_rule)) return "";
    return "; with trigger_rule: " + trigger_rule_name(task_.trigger_rule) + " the task also runs when " + upstream +
           " did not succeed, and then receives null: declare " + parameter.label + " as " +
           Type::optional(parameter.type).to_string();
  }

  void check(const SourceLocation& where, const std::string& context, const std::string& source, const Type& from,
             const Parameter& parameter, const std::string& note = "") {
    Assignability fits = is_assignable(from, parameter.type);
    if (fits) return;
    // The message already shows both types; keep only what the reason adds.
    std::string detail = fits.plain ? "" : fits.reason;
    std::string restated = from.to_string() + " does not fit " + parameter.type.to_string() + ": ";
    if (detail.rfind(restated, 0) == 0) detail.erase(0, restated.size());
    errors_.push_back({where, context + source + ", but " + parameter.label + " expects " + parameter.type.to_string() +
                                  (detail.empty() || !note.empty() ? "" : ": " + detail) + note});
  }

  const InputBinding* find_binding(const std::string& name) const {
    for (const InputBinding& binding : task_.inputs) {
      if (binding.name == name) return &binding;
    }
    return nullptr;
  }

  bool is_mapped(const std::string& name) const {
    return std::any_of(task_.map.begin(), task_.map.end(), [&](const InputBinding& b) { return b.name == name; });
  }

  bool refused(const std::string& name) const {
    return std::find(draft_.refused_inputs.begin(), draft_.refused_inputs.end(), name) != draft_.refused_inputs.end();
  }

  bool is_upstream(const std::string& name) const {
    return std::find(task_.depends_on.begin(), task_.depends_on.end(), name) != task_.depends_on.end();
  }

  // " (rust)" after a function-task's name, so that an edge between two
  // languages names both; "" for a task whose executor is its language.
  std::string language_of(const std::string& task) const {
    auto found = tasks_.find(task);
    if (found == tasks_.end()) return "";
    const CompiledTask& spec = found->second->task;
    return spec.language.empty() || spec.language == spec.executor ? "" : " (" + spec.language + ")";
  }

  Type output_of(const std::string& task) const {
    auto found = tasks_.find(task);
    return found == tasks_.end() ? Type::any() : found->second->task.signature.output;
  }

  SourceLocation upstream_location(const std::string& upstream) const {
    for (const auto& [name, where] : draft_.explicit_depends) {
      if (name == upstream) return where;
    }
    return task_.where;
  }

  // A constant as the user wrote it (Boost.JSON would print 1.5 as 1.5E0).
  static std::string short_json(const boost::json::value& value) {
    std::string text = readable_json(value);
    return text.size() <= 40 ? text : text.substr(0, 37) + "...";
  }

  static std::string readable_json(const boost::json::value& value) {
    if (value.is_double()) {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.get_double());
      std::string text(buf, ec == std::errc() ? end : buf);
      if (text.find_first_of(".en") == std::string::npos) text += ".0";  // 2.0 stays a float
      return text;
    }
    if (value.is_array()) {
      std::string out = "[";
      for (const auto& item : value.get_array()) out += (out.size() > 1 ? ", " : "") + readable_json(item);
      return out + "]";
    }
    if (value.is_object()) {
      std::string out = "{";
      for (const auto& [key, item] : value.get_object()) {
        out += (out.size() > 1 ? ", " : "") + boost::json::serialize(boost::json::value(key)) + ": " + readable_json(item);
      }
      return out + "}";
    }
    return boost::json::serialize(value);
  }

  const TaskDraft& draft_;
  const CompiledTask& task_;
  const TaskMap& tasks_;
  const std::vector<WorkflowInput>& inputs_;
  std::vector<Diagnostic>& errors_;
  std::vector<Parameter> parameters_;
  bool accepts_anything_ = false;
};

void check_task_bindings(const TaskDraft& draft, const TaskMap& tasks, const std::vector<WorkflowInput>& inputs,
                         std::vector<Diagnostic>& errors) {
  TaskBindingChecker(draft, tasks, inputs, errors).run();
}

void check_workflow_input_references(const TaskDraft& draft, const std::vector<WorkflowInput>& inputs,
                                     std::vector<Diagnostic>& errors) {
  std::vector<std::string> names;
  for (const WorkflowInput& input : inputs) names.push_back(input.name);
  for (const InputBinding& binding : draft.task.inputs) {
    if (binding.kind != InputBinding::Kind::workflow_input) continue;
    if (std::find(names.begin(), names.end(), binding.workflow_input) != names.end()) continue;
    errors.push_back({binding.where, "task \"" + draft.task.name + "\" input \"" + binding.name +
                                         "\": {input: " + binding.workflow_input + "} names no workflow input \"" +
                                         binding.workflow_input + "\"" + did_you_mean(binding.workflow_input, names) +
                                         (names.empty() ? "; the workflow declares no inputs: block"
                                                        : "; workflow inputs: " + join_names(names))});
  }
}

}  // namespace

namespace {

// A task without a known signature still has its references checked against
// the declared output types of its upstream tasks: `{from: a.rowz}` into an
// output `{rows: ..., count: ...}` is a mistake whatever the task accepts.
void check_reference_paths(const TaskDraft& draft, const TaskMap& tasks, std::vector<Diagnostic>& errors) {
  for (const InputBinding& binding : draft.task.inputs) {
    if (binding.kind != InputBinding::Kind::task_output) continue;
    auto upstream = tasks.find(binding.task);
    if (upstream == tasks.end()) continue;  // reported elsewhere
    PathLookup lookup = type_at_path(upstream->second->task.signature.output, binding.path, binding.task);
    if (!lookup.type) {
      errors.push_back({binding.where, "task \"" + draft.task.name + "\" input \"" + binding.name + "\": " + lookup.error});
    }
  }
}

}  // namespace

}  // namespace ork::host
