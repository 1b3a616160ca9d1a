// The task keys of dynamic workflows (issue 14) that the workflow compiler
// reads: `trigger_rule:` and `when:` (its language is condition.hpp).
// Kept apart from task_reader.cpp so that the format work there and this
// feature do not edit the same lines.
#include "workflow/workflow_compiler.hpp"

namespace ork::host::compiling {

std::optional<TriggerRule> WorkflowCompiler::read_trigger_rule(const MapEntry& key, const std::string& context) {
  if (!is_string_scalar(key.value)) {
    add(key.value_where, context + "\"trigger_rule\" must be one of " + join_names(trigger_rule_names()) + ", not " +
                             describe_node(key.value));
    return std::nullopt;
  }
  const std::string name(key.value.scalar());
  if (std::optional<TriggerRule> rule = parse_trigger_rule(name)) return rule;
  add(key.value_where, unknown_key(context, name, trigger_rule_names(), "trigger_rule"));
  return std::nullopt;
}

void WorkflowCompiler::read_when(const MapEntry& key, const std::string& context, TaskDraft& draft) {
  if (!key.value.is_scalar()) {
    add(key.value_where,
        context + "\"when\" must be a condition such as check.rows > 0, not " + describe_node(key.value));
    return;
  }
  // Offsets in the condition count from its first character: past the
  // opening quote of a quoted scalar (a flow or plain scalar starts at once).
  SourceLocation start = key.value_where;
  const std::size_t line_start = start.line >= 1 ? line_offset(start.line) : std::string_view::npos;
  if (line_start != std::string_view::npos) {
    const std::size_t at = line_start + (start.col >= 1 ? start.col - 1 : 0);
    if (at < yaml_.size() && (yaml_[at] == '"' || yaml_[at] == '\'')) start.col += 1;
  }
  draft.when_where = start;
  ConditionError error;
  std::optional<Condition> condition = parse_condition(key.value.scalar(), error);
  if (!condition) {
    add(condition_location(start, error.offset), context + "when: " + error.message);
    return;
  }
  draft.task.when = std::move(condition);
}

void WorkflowCompiler::check_conditions() {
  std::vector<std::string> roots{"inputs"};
  for (const TaskDraft& draft : drafts_) roots.push_back(draft.task.name);
  for (const TaskDraft& draft : drafts_) {
    if (!draft.task.when) continue;
    const CompiledTask& task = draft.task;
    ConditionPathTyper type_of = [&](const ConditionPath& path, std::string& error) -> std::optional<Type> {
      return condition_path_type(task, path, roots, error);
    };
    for (const ConditionError& error : check_condition_types(*task.when, type_of)) {
      add(condition_location(draft.when_where, error.offset), "task \"" + task.name + "\": when: " + error.message);
    }
  }
}

std::optional<Type> WorkflowCompiler::condition_path_type(const CompiledTask& task, const ConditionPath& path,
                                                          const std::vector<std::string>& roots, std::string& error) {
  if (path.root == "inputs") {
    const std::string& name = path.fields.front();
    auto input = std::find_if(workflow_.inputs.begin(), workflow_.inputs.end(),
                              [&](const WorkflowInput& i) { return i.name == name; });
    if (input == workflow_.inputs.end()) {
      std::vector<std::string> names;
      for (const WorkflowInput& i : workflow_.inputs) names.push_back(i.name);
      error = "inputs." + name + " names no workflow input \"" + name + "\"" + did_you_mean(name, names) +
              (names.empty() ? "; the workflow declares no inputs: block" : "; workflow inputs: " + join_names(names));
      return std::nullopt;
    }
    PathLookup lookup = type_at_path(input->type, {path.fields.begin() + 1, path.fields.end()}, "inputs." + name);
    if (!lookup.type) error = lookup.error;
    return lookup.type;
  }
  if (path.root == task.name) {
    error = "\"" + path.to_string() + "\" reads the task's own output, which does not exist before it runs";
    return std::nullopt;
  }
  auto upstream =
      std::find_if(drafts_.begin(), drafts_.end(), [&](const TaskDraft& d) { return d.task.name == path.root; });
  if (upstream == drafts_.end()) {
    error = "unknown name \"" + path.root + "\"" + did_you_mean(path.root, roots) +
            ": a condition reads task outputs (task.field) and workflow inputs (inputs.NAME); quote a string "
            "literal";
    return std::nullopt;
  }
  PathLookup lookup = type_at_path(upstream->task.signature.output, path.fields, path.root);
  if (!lookup.type) {
    error = lookup.error;
    return std::nullopt;
  }
  // As for its inputs: under a rule that runs the task without every upstream
  // having succeeded, what it reads of an upstream may be null.
  if (may_run_without_every_upstream(task.trigger_rule) && !lookup.type->is_any()) return Type::optional(*lookup.type);
  return lookup.type;
}

SourceLocation WorkflowCompiler::condition_location(const SourceLocation& start, std::size_t offset) const {
  return {start.file, start.line, start.col + static_cast<int>(offset)};
}

std::size_t WorkflowCompiler::line_offset(int line) const {
  std::size_t at = 0;
  for (int current = 1; current < line; ++current) {
    at = yaml_.find('\n', at);
    if (at == std::string_view::npos) return at;
    ++at;
  }
  return at;
}

}  // namespace ork::host::compiling
