#include "workflow/workflow_compiler.hpp"

namespace ork::host::compiling {

void WorkflowCompiler::read_tasks(const std::map<std::string, MapEntry>& top, const YamlNode& root) {
  auto found = top.find("tasks");
  if (found == top.end()) {
    add(location_of(root, file_), "the workflow has no \"tasks:\" (a mapping of task name -> task)");
    return;
  }
  const MapEntry& block = found->second;
  if (block.value.is_sequence()) {
    add(block.value_where,
        "\"tasks\" must be a mapping of task name -> task, not a list (write `extract:` "
        "instead of `- name: extract`)");
    return;
  }
  if (!block.value.is_map() || block.value.size() == 0) {
    add(block.value_where, block.value.is_map() || block.value.is_null()
                               ? "\"tasks\" is empty: a workflow needs at least one task"
                               : "\"tasks\" must be a mapping of task name -> task, not " + describe_node(block.value));
    return;
  }
  // No copy of every draft or task at each doubling; and the drafts refer to
  // their tasks, which therefore never move while the drafts live.
  drafts_.reserve(block.value.size());
  workflow_.tasks.reserve(block.value.size());
  for_each_map_entry(block.value, file_, errors_, "", "task", [&](MapEntry& entry) { read_task(entry); });
}

void WorkflowCompiler::read_task(const MapEntry& entry) {
  if (workflow_.tasks.size() == workflow_.tasks.capacity()) {  // would move the tasks the drafts refer to
    throw std::logic_error("read_task: more tasks than entries of \"tasks\"");
  }
  TaskDraft draft{workflow_.tasks.emplace_back()};
  CompiledTask& task = draft.task;
  task.name = entry.key;
  task.where = entry.key_where;
  task.timeout = defaults_.timeout;
  task.retries = defaults_.retries;
  task.retry_delay = defaults_.retry_delay;
  task.env = defaults_.env;
  task.workdir = defaults_.workdir;
  task.max_concurrency = defaults_.max_concurrency;
  task.max_retry_delay = defaults_.max_retry_delay;
  task.pool = defaults_.pool;
  draft.pool_where = defaults_.pool_where;
  const std::string context = "task \"" + task.name + "\": ";
  if (!is_valid_name(task.name, false)) {
    add(entry.key_where, "task name \"" + task.name +
                             "\" is not valid: use letters, digits, \"_\" and \"-\", "
                             "starting with a letter or \"_\" (a \".\" would read as a path in {from: ...})");
  }
  if (!entry.value.is_map()) {
    add(entry.value_where,
        context + "a task must be a mapping (executor, inputs, ...), not " + describe_node(entry.value));
    drafts_.push_back(std::move(draft));
    return;
  }
  std::vector<MapEntry> keys = map_entries(entry.value, file_, errors_, context);
  if (!read_language_task(keys, entry, context, draft)) draft.executor = find_executor(keys, entry, context, task.executor);
  const MapEntry* inputs_entry = nullptr;
  for (const MapEntry& key : keys) {
    draft.key_where[key.key] = key.key_where;
    if (key.key == "inputs" || key.key == "input") {
      if (inputs_entry) {
        add(key.key_where, context + "\"inputs\" and its alias \"input\" are both given; keep one");
        continue;
      }
      inputs_entry = &key;
      read_bindings(key, context, draft);
    } else {
      read_task_key(key, context, draft);
    }
  }
  drafts_.push_back(std::move(draft));
}

const ExecutorInfo* WorkflowCompiler::find_executor(const std::vector<MapEntry>& keys, const MapEntry& task_entry,
                                                    const std::string& context, std::string& executor_name) {
  auto entry = std::find_if(keys.begin(), keys.end(), [](const MapEntry& key) { return key.key == "executor"; });
  std::optional<std::string> name = entry == keys.end() ? defaults_.executor : read_text(*entry, context);
  std::vector<std::string> known = executors_.executor_names();
  if (!name) {
    if (entry == keys.end()) {
      add(task_entry.key_where, context + "missing \"executor\" (one of: " + join_names(known) + ")");
    }
    return nullptr;
  }
  executor_name = *name;
  if (const ExecutorInfo* info = executors_.find_executor(*name)) return info;
  SourceLocation where = entry == keys.end() ? task_entry.key_where : entry->value_where;
  add(where, context + "unknown executor \"" + *name + "\"" + did_you_mean(*name, known) +
                 "; known executors: " + (known.empty() ? "none (no executor plugin was loaded)" : join_names(known)));
  return nullptr;
}

void WorkflowCompiler::read_task_key(const MapEntry& key, const std::string& context, TaskDraft& draft) {
  CompiledTask& task = draft.task;
  const std::string& name = key.key;
  if (name == "executor") {  // read first, by find_executor or read_language_task
    if (draft.language && !key.value.is_scalar()) read_text(key, context);  // reports the wrong type
    return;
  }
  if (name == "depends_on") {
    read_depends_on(key, context, draft);
  } else if (name == "env") {
    read_env(key, context, task.env);
  } else if (name == "workdir") {
    task.workdir = read_workdir(key, context).value_or(task.workdir);
  } else if (name == "timeout") {
    task.timeout = read_duration(key, context).value_or(task.timeout);
  } else if (name == "retries") {
    task.retries = read_count(key, context).value_or(task.retries);
  } else if (name == "retry_delay") {
    task.retry_delay = read_duration(key, context).value_or(task.retry_delay);
  } else if (name == "max_concurrency") {
    task.max_concurrency = read_count(key, context).value_or(task.max_concurrency);
  } else if (name == "max_retry_delay") {
    task.max_retry_delay = read_duration(key, context).value_or(task.max_retry_delay);
  } else if (name == "pool") {
    task.pool = read_text(key, context).value_or("");
    draft.pool_where = key.value_where;
  } else if (name == "description") {
    task.description = read_text(key, context).value_or("");
  } else if (name == "when") {
    read_when(key, context, draft);
  } else if (name == "map") {
    read_map(key, context, draft);
  } else if (name == "cache") {
    read_cache(key, context, draft);
  } else if (name == "trigger_rule") {
    task.trigger_rule = read_trigger_rule(key, context).value_or(task.trigger_rule);
  } else if (name == "input_type") {
    draft.input_type = read_input_type(key, context);
  } else if (name == "output_type") {
    draft.output_type = read_type(key, context);
  } else if (draft.language != nullptr) {
    read_language_key(key, context, draft);
  } else if (draft.executor == nullptr) {
    task.config[name] = values_.to_json(key.value).value_or(nullptr);  // unknown executor: keys cannot be checked
  } else if (std::find(draft.executor->task_keys.begin(), draft.executor->task_keys.end(), name) !=
             draft.executor->task_keys.end()) {
    task.config[name] = values_.to_json(key.value).value_or(nullptr);
  } else {
    std::vector<std::string> allowed = task_host_keys;
    allowed.insert(allowed.end(), draft.executor->task_keys.begin(), draft.executor->task_keys.end());
    add(key.key_where, unknown_key(context, name, allowed, "key", " for executor \"" + draft.executor->name + "\""));
  }
}

void WorkflowCompiler::read_bindings(const MapEntry& block, const std::string& context, TaskDraft& draft) {
  CompiledTask& task = draft.task;
  if (block.value.is_null()) return;
  if (!block.value.is_map()) {
    add(block.value_where, context + "\"" + block.key + "\" must be a mapping of parameter name -> value, not " +
                               describe_node(block.value));
    return;
  }
  for (const MapEntry& entry : map_entries(block.value, file_, errors_, context, "input")) {
    if (entry.key == "upstream") {
      add(entry.key_where, context +
                               "\"upstream\" is a reserved input name: it receives the outputs of all "
                               "direct upstream tasks; rename the input");
      continue;
    }
    if (std::optional<InputBinding> binding =
            read_binding(entry, "task \"" + task.name + "\" input \"" + entry.key + "\": ")) {
      task.inputs.push_back(std::move(*binding));
    } else {
      draft.refused_inputs.push_back(entry.key);
    }
  }
}

std::optional<InputBinding> WorkflowCompiler::read_binding(const MapEntry& entry, const std::string& context) {
  InputBinding binding;
  binding.name = entry.key;
  binding.where = entry.value_where;
  binding.kind = InputBinding::Kind::constant;
  const YamlNode& value = entry.value;
  if (!value.is_map()) return constant_binding(value, std::move(binding));
  std::vector<MapEntry> keys = map_entries(value, file_, errors_, context);
  auto has = [&keys](const char* key) {
    return std::any_of(keys.begin(), keys.end(), [key](const MapEntry& k) { return k.key == key; });
  };
  if (has("from")) {
    if (keys.size() != 1) {
      add(entry.value_where, context +
                                 "a reference takes only \"from\" (to pass a constant mapping that has a "
                                 "\"from\" key, write {value: {...}})");
      return std::nullopt;
    }
    return read_reference(keys.front(), context, std::move(binding));
  }
  if (keys.size() == 1 && keys.front().key == "input") {
    std::optional<std::string> name = read_text(keys.front(), context + "input: ");
    if (!name) return std::nullopt;
    binding.kind = InputBinding::Kind::workflow_input;
    binding.workflow_input = *name;
    return binding;
  }
  if (keys.size() == 1 && keys.front().key == "value") return constant_binding(keys.front().value, std::move(binding));
  // The upstream ork's spellings, {const: V} and {ref: tasks.T.output.f}, are
  // one-key mappings; with more keys the mapping stays a constant, as it was
  // before they were accepted (`{ref: main, repo: ork}` is a git reference).
  if (keys.size() == 1 && keys.front().key == "const") return constant_binding(keys.front().value, std::move(binding));
  if (keys.size() == 1 && keys.front().key == "ref") return read_upstream_reference(keys.front(), context, std::move(binding));
  return constant_binding(value, std::move(binding));
}

std::optional<InputBinding> WorkflowCompiler::constant_binding(const YamlNode& value, InputBinding binding) {
  std::optional<boost::json::value> constant = values_.to_json(value);
  if (!constant) return std::nullopt;
  binding.constant = std::move(*constant);
  return binding;
}

std::optional<InputBinding> WorkflowCompiler::read_reference(const MapEntry& from, const std::string& context,
                                                             InputBinding binding) {
  if (!is_string_scalar(from.value)) {
    add(from.value_where,
        context + "\"from\" must be a reference such as extract.rows, not " + describe_node(from.value));
    return std::nullopt;
  }
  const std::string text(from.value.scalar());
  std::vector<std::string> segments;
  std::istringstream stream(text);
  for (std::string segment; std::getline(stream, segment, '.');) segments.push_back(segment);
  bool empty_segment = text.empty() || text.back() == '.' ||
                       std::any_of(segments.begin(), segments.end(), [](const std::string& s) { return s.empty(); });
  if (empty_segment) {
    add(from.value_where, context + "reference \"" + text +
                              "\" is not valid: write task or task.field.field "
                              "(list indexes as numbers: extract.rows.0.id)");
    return std::nullopt;
  }
  binding.kind = InputBinding::Kind::task_output;
  binding.task = segments.front();
  binding.path.assign(segments.begin() + 1, segments.end());
  binding.where = from.value_where;
  return binding;
}

std::optional<InputBinding> WorkflowCompiler::read_upstream_reference(const MapEntry& ref, const std::string& context,
                                                                      InputBinding binding) {
  const std::string usage =
      "write tasks.<task>.output for a task's whole output, or tasks.<task>.output.<field>... for a part of it";
  if (!is_string_scalar(ref.value)) {
    add(ref.value_where, context + "\"ref\" must be a path such as tasks.extract.output.rows, not " +
                             describe_node(ref.value) + "; " + usage);
    return std::nullopt;
  }
  const std::string text(ref.value.scalar());
  std::vector<std::string> segments = split_path(text);
  bool empty_segment = std::any_of(segments.begin(), segments.end(), [](const std::string& s) { return s.empty(); });
  if (segments.size() < 3 || segments[0] != "tasks" || segments[2] != "output" || empty_segment) {
    add(ref.value_where, context + "reference \"" + text + "\" is not valid: " + usage +
                             " (list indexes as numbers: tasks.extract.output.rows.0.id)");
    return std::nullopt;
  }
  binding.kind = InputBinding::Kind::task_output;
  binding.task = segments[1];
  binding.path.assign(segments.begin() + 3, segments.end());
  binding.where = ref.value_where;
  return binding;
}

std::vector<std::string> WorkflowCompiler::split_path(const std::string& text) {
  std::vector<std::string> segments;
  std::string::size_type start = 0;
  while (true) {
    std::string::size_type dot = text.find('.', start);
    segments.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return segments;
    start = dot + 1;
  }
}

void WorkflowCompiler::read_depends_on(const MapEntry& key, const std::string& context, TaskDraft& draft) {
  auto add_name = [&](const YamlNode& node) {
    if (!is_string_scalar(node)) {
      add(location_of(node, file_), context + "depends_on entries must be task names, not " + describe_node(node));
      return;
    }
    draft.explicit_depends.emplace_back(node.scalar(), location_of(node, file_));
  };
  if (key.value.is_sequence()) {
    for (const YamlNode& item : key.value.items()) add_name(item);
  } else if (key.value.is_scalar()) {
    add_name(key.value);
  } else {
    add(key.value_where,
        context + "depends_on must be a task name or a list of task names, not " + describe_node(key.value));
  }
}

std::optional<Type> WorkflowCompiler::read_input_type(const MapEntry& key, const std::string& context) {
  std::optional<Type> type = read_type(key, context);
  if (type && type->kind() != TypeKind::object) {
    add(key.value_where, context +
                             "input_type must be an object type ({field: T, ...} or a named object type), "
                             "not " +
                             type->to_string() + ": its fields are the task's inputs");
    return std::nullopt;
  }
  return type;
}

}  // namespace ork::host::compiling
