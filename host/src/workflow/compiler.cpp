#include "workflow/workflow_compiler.hpp"

#include <atomic>
#include <cstdint>

namespace ork::host {

namespace {

CompileResult run_compiler(std::string_view yaml, const std::filesystem::path& file, const ExecutorCatalog& executors);

}  // namespace

CompileResult compile_workflow(const std::filesystem::path& file, const ExecutorCatalog& executors) {
  const std::string shown = file.string();
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return CompileResult{std::nullopt, {{{shown, 0, 0}, "workflow file not found"}}};
  }
  if (std::filesystem::is_directory(file, error)) {
    return CompileResult{std::nullopt, {{{shown, 0, 0}, "is a directory, not a workflow file"}}};
  }
  std::ifstream in(file, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    return CompileResult{std::nullopt,
                         {{{shown, 0, 0}, std::string("cannot read the workflow file: ") + std::strerror(errno)}}};
  }
  return compile_workflow_source(text, file, executors);
}

CompileResult compile_workflow_source(std::string_view yaml, const std::filesystem::path& file,
                                      const ExecutorCatalog& executors) {
  // The limits of ork/limits.h keep hostile files from exhausting memory or
  // the stack; anything still thrown must not take `ork serve` down with it.
  try {
    return run_compiler(yaml, file, executors);
  } catch (const std::exception& e) {
    return CompileResult{
        std::nullopt,
        {{{file.string(), 0, 0},
          std::string("the compiler failed on this file (") + e.what() + "); please report this as a bug"}}};
  }
}

}  // namespace ork::host

namespace ork::host::compiling {

WorkflowCompiler::WorkflowCompiler(std::string_view yaml, const std::filesystem::path& file,
                                   const ExecutorCatalog& executors)
    : yaml_(yaml),
      file_(file.string()),
      executors_(executors),
      values_(file_, errors_, ORK_MAX_YAML_NODES, yaml.size()) {
  workflow_.file = std::filesystem::absolute(file).lexically_normal();
  workflow_.dir = workflow_.file.parent_path();
  workflow_.source = std::string(yaml);
  defaults_.workdir = workflow_.dir;
}

CompileResult WorkflowCompiler::run() {
  if (!read_document()) return finish({});
  std::optional<std::vector<std::size_t>> order = order_tasks(drafts_, errors_);
  check_with_executors();
  apply_declared_types();
  apply_map_outputs();
  check_bindings(drafts_, workflow_.inputs, errors_);
  check_maps(drafts_, workflow_.inputs, errors_);
  check_conditions();
  check_pools();
  prepare_language_tasks();
  return finish(order.value_or(std::vector<std::size_t>{}));
}

// Everything that needs the YAML tree is read here: the tree (~150 bytes per
// task) is released on return, before the checks and the compiled workflow
// need memory of their own.
bool WorkflowCompiler::read_document() {
  std::optional<YamlDocument> document = parse_document();
  if (!document) return false;
  const YamlNode root = document->root();
  std::map<std::string, MapEntry> top = read_top_level(root);
  read_header(top);
  named_types_ = NamedTypes::from_yaml(entry_value(top, "types"), file_, values_, errors_);
  if (top.count("inputs")) read_workflow_inputs(top.at("inputs"));
  if (top.count("pools")) read_pools(top.at("pools"));
  if (top.count("concurrency")) read_positive(top.at("concurrency"), workflow_.concurrency);
  if (top.count("max_active_runs")) read_positive(top.at("max_active_runs"), workflow_.max_active_runs);
  if (top.count("timeout")) read_run_timeout(top.at("timeout"));
  if (top.count("defaults")) read_defaults(top.at("defaults"));
  read_tasks(top, root);
  return true;
}

std::optional<YamlDocument> WorkflowCompiler::parse_document() {
  std::optional<YamlDocument> document;
  try {
    document = YamlDocument::parse(yaml_);
  } catch (const YAML::ParserException& e) {
    add({file_, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  const YamlNode root = document->root();
  if (!root || root.is_null()) {
    add({file_, 1, 1}, "the workflow file is empty: it needs a \"tasks:\" mapping of task name -> task");
    return std::nullopt;
  }
  if (!root.is_map()) {
    add(location_of(root, file_),
        "a workflow file must be a mapping with a \"tasks:\" key, not " + describe_node(root));
    return std::nullopt;
  }
  return document;
}

std::map<std::string, MapEntry> WorkflowCompiler::read_top_level(const YamlNode& root) {
  std::map<std::string, MapEntry> top;
  for (MapEntry& entry : map_entries(root, file_, errors_, "")) {
    if (std::find(top_level_keys.begin(), top_level_keys.end(), entry.key) == top_level_keys.end()) {
      add(entry.key_where, unknown_key("", entry.key, top_level_keys, "top-level key"));
      continue;
    }
    std::string key = entry.key;
    top.emplace(key, std::move(entry));
  }
  return top;
}

YamlNode WorkflowCompiler::entry_value(const std::map<std::string, MapEntry>& top, const std::string& key) {
  auto found = top.find(key);
  return found == top.end() ? YamlNode() : found->second.value;
}

void WorkflowCompiler::read_header(const std::map<std::string, MapEntry>& top) {
  workflow_.name = std::filesystem::path(file_).stem().string();
  if (top.count("name")) {
    if (std::optional<std::string> name = read_text(top.at("name"), "")) workflow_.name = *name;
  }
  if (!is_valid_name(workflow_.name, true)) {
    SourceLocation where = top.count("name") ? top.at("name").value_where : SourceLocation{file_, 1, 1};
    add(where, "workflow name \"" + workflow_.name + "\" is not valid" +
                   (top.count("name") ? "" : " (it comes from the file name; set \"name:\")") +
                   ": use letters, digits, \"_\", \"-\" and \".\"");
  }
  if (top.count("description")) workflow_.description = read_text(top.at("description"), "").value_or("");
  if (top.count("schedule")) read_schedule(top.at("schedule"));
  if (top.count("timezone")) read_timezone(top.at("timezone"));
}

void WorkflowCompiler::read_schedule(const MapEntry& entry) {
  std::optional<std::string> schedule = read_text(entry, "");
  if (!schedule) return;
  if (std::optional<std::string> problem = cron_problem(*schedule)) {
    add(entry.value_where, "schedule \"" + *schedule + "\" is not a valid cron expression: " + *problem);
    return;
  }
  workflow_.schedule = *schedule;
}

void WorkflowCompiler::read_timezone(const MapEntry& entry) {
  std::optional<std::string> timezone = read_text(entry, "");
  if (!timezone) return;
  if (std::optional<std::string> problem = timezone_problem(*timezone)) {
    add(entry.value_where, *problem);
    return;
  }
  workflow_.timezone = *timezone;
}

void WorkflowCompiler::read_workflow_inputs(const MapEntry& block) {
  if (block.value.is_null()) return;
  if (!block.value.is_map()) {
    add(block.value_where,
        "\"inputs\" must be a mapping of input name -> {type: T, default: V} or a default value, not " +
            describe_node(block.value));
    return;
  }
  for (const MapEntry& entry : map_entries(block.value, file_, errors_, "inputs: ", "input")) {
    if (std::optional<WorkflowInput> input = read_workflow_input(entry)) workflow_.inputs.push_back(std::move(*input));
  }
}

std::optional<WorkflowInput> WorkflowCompiler::read_workflow_input(const MapEntry& entry) {
  WorkflowInput input{entry.key, Type::any(), std::nullopt, entry.key_where, ""};
  std::string context = "workflow input \"" + entry.key + "\": ";
  bool spec_form = entry.value.is_map() && (entry.value.find("type") || entry.value.find("default"));
  if (!spec_form) {  // `name: V` shorthand: a default whose type is inferred
    input.default_value = values_.to_json(entry.value);
    if (input.default_value) input.type = infer_type(*input.default_value);
    return input;
  }
  bool has_type = false;
  for (const MapEntry& key : map_entries(entry.value, file_, errors_, context)) {
    if (key.key == "type") {
      std::optional<Type> type = read_type(key, context);
      if (!type) return std::nullopt;
      input.type = *type;
      has_type = true;
    } else if (key.key == "default") {
      input.default_value = values_.to_json(key.value);
    } else if (key.key == "description") {
      if (key.value.is_scalar()) input.description = key.value.scalar();
    } else {
      add(key.key_where, unknown_key(context, key.key, {"type", "default", "description"}, "key"));
    }
  }
  if (!has_type) {
    if (input.default_value) input.type = infer_type(*input.default_value);
  } else if (input.default_value) {
    GivenType given = type_of_given(*input.default_value, input.type);  // "2024-05-01" is a date
    Assignability fits = is_assignable(given.type, input.type);
    if (!given.problem.empty()) {
      add(location_of(entry.value.find("default"), file_), context + "the default " + given.problem);
    } else if (!fits) {
      add(location_of(entry.value.find("default"), file_),
          context + "the default " + short_json(*input.default_value) + " is " + given.type.to_string() +
              ", but the input is " + input.type.to_string() + (fits.plain ? "" : ": " + fits.reason));
    }
  }
  return input;
}

void WorkflowCompiler::read_pools(const MapEntry& block) {
  if (block.value.is_null()) return;
  if (!block.value.is_map()) {
    add(block.value_where, "\"pools\" must be a mapping of pool name -> size, not " + describe_node(block.value));
    return;
  }
  for (const MapEntry& entry : map_entries(block.value, file_, errors_, "pools: ")) {
    int size = 0;
    if (read_positive(entry, size)) workflow_.pools.emplace_back(entry.key, size);
  }
}

bool WorkflowCompiler::read_positive(const MapEntry& entry, int& out) {
  boost::json::value value = entry.value.is_scalar() ? scalar_to_json(entry.value) : boost::json::value();
  if (value.is_int64() && value.get_int64() >= 1 && value.get_int64() <= 1'000'000) {
    out = static_cast<int>(value.get_int64());
    return true;
  }
  add(entry.value_where, "\"" + entry.key + "\" must be a whole number >= 1, not " + describe_node(entry.value));
  return false;
}

void WorkflowCompiler::read_run_timeout(const MapEntry& entry) {
  std::optional<std::chrono::milliseconds> timeout = read_duration(entry, "");
  if (!timeout) return;
  if (timeout->count() <= 0) {
    add(entry.value_where,
        "\"timeout\" of the run must be longer than 0 (e.g. 30m); leave it out for a run without a time limit");
    return;
  }
  workflow_.timeout = *timeout;
}

void WorkflowCompiler::check_pools() {
  for (const TaskDraft& draft : drafts_) {
    const std::string& pool = draft.task.pool;
    if (pool.empty()) continue;
    bool declared =
        std::any_of(workflow_.pools.begin(), workflow_.pools.end(), [&](const auto& p) { return p.first == pool; });
    if (declared) continue;
    std::vector<std::string> names;
    for (const auto& p : workflow_.pools) names.push_back(p.first);
    add(draft.pool_where.known() ? draft.pool_where : draft.task.where,
        "task \"" + draft.task.name + "\": pool \"" + pool + "\" is not declared" + did_you_mean(pool, names) +
            "; declare it with a size under the top-level \"pools:\" (e.g. pools: {" + pool + ": 1})");
  }
}

void WorkflowCompiler::read_defaults(const MapEntry& block) {
  if (block.value.is_null()) return;
  if (!block.value.is_map()) {
    add(block.value_where,
        "\"defaults\" must be a mapping of task settings (timeout, retries, ...), not " + describe_node(block.value));
    return;
  }
  const std::string context = "defaults: ";
  for (const MapEntry& entry : map_entries(block.value, file_, errors_, context)) {
    const std::string& key = entry.key;
    if (key == "executor") {
      defaults_.executor = read_text(entry, context);
    } else if (key == "timeout") {
      defaults_.timeout = read_duration(entry, context).value_or(defaults_.timeout);
    } else if (key == "retries") {
      defaults_.retries = read_count(entry, context).value_or(defaults_.retries);
    } else if (key == "retry_delay") {
      defaults_.retry_delay = read_duration(entry, context).value_or(defaults_.retry_delay);
    } else if (key == "env") {
      read_env(entry, context, defaults_.env);
    } else if (key == "workdir") {
      defaults_.workdir = read_workdir(entry, context).value_or(defaults_.workdir);
    } else if (key == "max_concurrency") {
      defaults_.max_concurrency = read_count(entry, context).value_or(defaults_.max_concurrency);
    } else if (key == "max_retry_delay") {
      defaults_.max_retry_delay = read_duration(entry, context).value_or(defaults_.max_retry_delay);
    } else if (key == "pool") {
      defaults_.pool = read_text(entry, context).value_or("");
      defaults_.pool_where = entry.value_where;
    } else if (key == "cache") {
      // Reusing outputs is right only for tasks that give the same output
      // for the same inputs: each task says so itself.
      add(entry.key_where, context + "\"cache\" cannot be a default: set cache: on each task whose output may be "
                                     "reused (a task that sends mail or reads the clock must run every time)");
    } else {
      add(entry.key_where, unknown_key(context, key, defaults_keys, "key"));
    }
  }
}

void WorkflowCompiler::check_with_executors() {
  // A refused value left nulls in task settings: the executors' complaints
  // about them would only hide the real error.
  if (values_.refused_any()) return;
  // One number for this compile's checks: an executor may look up what many
  // tasks share (a program on PATH) once per compile, not once per task.
  static std::atomic<std::uint64_t> last_check_pass{0};
  const std::uint64_t check_pass = ++last_check_pass;
  for (TaskDraft& draft : drafts_) {
    if (draft.language != nullptr) {
      check_language_task(draft, check_pass);
      continue;
    }
    if (draft.executor == nullptr) continue;
    TaskCheckRequest request{workflow_.name,
                             workflow_.file.string(),
                             workflow_.dir.string(),
                             draft.task.name,
                             boost::json::serialize(draft.task.config),
                             draft.task.workdir.string(),
                             {},
                             check_pass};
    for (const auto& [key, value] : draft.task.env) request.env.push_back(key + "=" + value);
    const std::string context = "task \"" + draft.task.name + "\": ";
    TaskCheckResult result;
    try {
      result = executors_.check_task(draft.executor->name, request);
    } catch (const std::exception& e) {
      add(draft.task.where,
          context + "executor \"" + draft.executor->name + "\" failed while checking the task: " + e.what());
      continue;
    }
    for (const auto& [key, message] : result.errors) add(draft.where_of(key), context + message);
    if (draft.task.cache && result.errors.empty()) settle_code_identity(draft, result, context);
    if (!result.signature_json) continue;
    try {
      draft.task.signature = parse_signature_json(*result.signature_json, named_types_.resolver());
    } catch (const TypeError& e) {
      add(draft.task.where,
          context + "executor \"" + draft.executor->name + "\" reported an invalid signature: " + e.describe());
    }
  }
}

void WorkflowCompiler::apply_declared_types() {
  for (TaskDraft& draft : drafts_) {
    Signature& signature = draft.task.signature;
    if (draft.input_type) {
      signature.declared = true;
      signature.inputs.clear();
      signature.defaults.clear();
      signature.whole_input.reset();
      for (const Field& field : draft.input_type->fields()) {
        signature.inputs.emplace_back(field.name, field.type);
        if (field.optional) signature.defaults.push_back(field.name);
      }
    }
    if (draft.output_type) signature.output = *draft.output_type;
  }
}

CompileResult WorkflowCompiler::finish(const std::vector<std::size_t>& order) {
  std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.col) < std::pair(b.where.line, b.where.col);
  });
  if (!errors_.empty()) return CompileResult{std::nullopt, std::move(errors_)};
  std::vector<TaskDraft>().swap(drafts_);  // their locations and maps, before the hash needs memory
  put_in_order(workflow_.tasks, order);
  Sha256 spec_hash;  // of spec_text(), which is never held whole here
  workflow_.write_spec_text([&](std::string_view piece) { spec_hash.add(piece); });
  workflow_.content_hash = spec_hash.hex();
  return CompileResult{std::move(workflow_), {}};
}

std::optional<std::string> WorkflowCompiler::read_text(const MapEntry& entry, const std::string& context) {
  if (entry.value.is_scalar()) return std::string(entry.value.scalar());
  add(entry.value_where, context + "\"" + entry.key + "\" must be a string, not " + describe_node(entry.value));
  return std::nullopt;
}

std::optional<int> WorkflowCompiler::read_count(const MapEntry& entry, const std::string& context) {
  boost::json::value value = entry.value.is_scalar() ? scalar_to_json(entry.value) : boost::json::value();
  if (value.is_int64() && value.get_int64() >= 0 && value.get_int64() <= 1'000'000) {
    return static_cast<int>(value.get_int64());
  }
  add(entry.value_where,
      context + "\"" + entry.key + "\" must be a whole number >= 0, not " + describe_node(entry.value));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> WorkflowCompiler::read_duration(const MapEntry& entry,
                                                                         const std::string& context) {
  if (entry.value.is_scalar()) {
    if (std::optional<std::chrono::milliseconds> duration = parse_duration(entry.value.scalar())) return duration;
    if (entry.value.scalar().starts_with("-")) {
      add(entry.value_where, context + "\"" + entry.key + "\" cannot be negative (" + std::string(entry.value.scalar()) +
                                 "): write a duration such as 500ms, 30s, 10m, 2h or 1d");
      return std::nullopt;
    }
  }
  add(entry.value_where, context + "\"" + entry.key +
                             "\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                             "number of seconds, not " +
                             describe_node(entry.value));
  return std::nullopt;
}

void WorkflowCompiler::read_env(const MapEntry& entry, const std::string& context,
                                std::vector<std::pair<std::string, std::string>>& env) {
  if (!entry.value.is_map()) {
    add(entry.value_where, context + "\"env\" must be a mapping of NAME -> value, not " + describe_node(entry.value));
    return;
  }
  for (const MapEntry& variable : map_entries(entry.value, file_, errors_, context + "env: ", "variable")) {
    if (!variable.value.is_scalar()) {
      add(variable.value_where,
          context + "env \"" + variable.key + "\" must be a single value, not " + describe_node(variable.value));
      continue;
    }
    auto same = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == variable.key; });
    if (same != env.end()) {
      same->second = variable.value.scalar();
    } else {
      env.emplace_back(variable.key, variable.value.scalar());
    }
  }
}

std::optional<std::filesystem::path> WorkflowCompiler::read_workdir(const MapEntry& entry, const std::string& context) {
  std::optional<std::string> text = read_text(entry, context);
  if (!text) return std::nullopt;
  if (text->empty()) {
    add(entry.value_where, context + "\"workdir\" is empty; leave it out to run in the workflow's directory");
    return std::nullopt;
  }
  return (workflow_.dir / *text).lexically_normal();
}

std::optional<Type> WorkflowCompiler::read_type(const MapEntry& entry, const std::string& context) {
  if (!entry.value.is_map() && !entry.value.is_sequence() && !is_string_scalar(entry.value)) {
    add(entry.value_where, context + "\"" + entry.key +
                               "\" must be a type such as \"list[int]\" or [int], a named type or a "
                               "mapping of field -> type, not " +
                               describe_node(entry.value));
    return std::nullopt;
  }
  std::optional<boost::json::value> json = values_.to_json(entry.value);
  if (!json) return std::nullopt;
  try {
    return parse_type_json(*json, named_types_.resolver());
  } catch (const TypeError& e) {
    add(entry.value_where, context + entry.key + ": " + e.describe());
    return std::nullopt;
  }
}

std::string WorkflowCompiler::unknown_key(const std::string& context, const std::string& key,
                                          const std::vector<std::string>& allowed, const std::string& noun,
                                          const std::string& qualifier) {
  std::string suggestion = did_you_mean(key, allowed);
  return context + "unknown " + noun + " \"" + key + "\"" + qualifier +
         (suggestion.empty() ? "; expected one of: " + join_names(allowed) : suggestion);
}

bool WorkflowCompiler::is_valid_name(const std::string& name, bool allow_dot) {
  if (name.empty()) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!allow_dot && !(std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_')) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return word(c) || c == '-' || (allow_dot && c == '.'); });
}

std::string WorkflowCompiler::short_json(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

}  // namespace ork::host::compiling

namespace ork::host {

namespace {

CompileResult run_compiler(std::string_view yaml, const std::filesystem::path& file, const ExecutorCatalog& executors) {
  return compiling::WorkflowCompiler(yaml, file, executors).run();
}

}  // namespace

}  // namespace ork::host
