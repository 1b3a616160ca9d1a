#include "workflow/compiler.hpp"

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "types/assignability.hpp"
#include "types/signature.hpp"
#include "types/temporal.hpp"
#include "workflow/binding_check.hpp"
#include "workflow/content_hash.hpp"
#include "workflow/cron_check.hpp"
#include "workflow/duration.hpp"
#include "workflow/named_types.hpp"
#include "workflow/suggest.hpp"
#include "workflow/task_draft.hpp"
#include "workflow/task_graph.hpp"
#include "workflow/yaml_nodes.hpp"

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
    return CompileResult{std::nullopt, {{{shown, 0, 0}, std::string("cannot read the workflow file: ") + std::strerror(errno)}}};
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


namespace {

namespace fs = std::filesystem;

const std::vector<std::string> top_level_keys{"name",     "description", "schedule",        "timezone",
                                              "defaults", "types",       "inputs",          "tasks",
                                              "pools",    "concurrency", "max_active_runs"};
const std::vector<std::string> defaults_keys{"executor", "timeout",         "retries",         "retry_delay",
                                             "env",      "workdir",         "max_concurrency", "max_retry_delay",
                                             "pool"};
const std::vector<std::string> task_host_keys{"executor",    "inputs",          "input",           "depends_on",
                                              "env",         "workdir",         "timeout",         "retries",
                                              "retry_delay", "max_concurrency", "max_retry_delay", "pool",
                                              "input_type",  "output_type",     "description"};

// What `defaults:` sets for every task that does not set it itself.
struct TaskDefaults {
  std::optional<std::string> executor;
  std::chrono::milliseconds timeout{0};
  int retries = 0;
  std::chrono::milliseconds retry_delay{0};
  std::vector<std::pair<std::string, std::string>> env;
  fs::path workdir;  // absolute
  int max_concurrency = 0;
  std::chrono::milliseconds max_retry_delay{std::chrono::hours(1)};
  std::string pool;
  SourceLocation pool_where;
};

class WorkflowCompiler {
 public:
  WorkflowCompiler(std::string_view yaml, const fs::path& file, const ExecutorCatalog& executors)
      : yaml_(yaml), file_(file.string()), executors_(executors), values_(file_, errors_) {
    workflow_.file = fs::absolute(file).lexically_normal();
    workflow_.dir = workflow_.file.parent_path();
    workflow_.source = std::string(yaml);
    defaults_.workdir = workflow_.dir;
  }

  CompileResult run() {
    std::optional<YAML::Node> root = parse_document();
    if (!root) return finish({});
    std::map<std::string, MapEntry> top = read_top_level(*root);
    read_header(top);
    named_types_ = NamedTypes::from_yaml(entry_value(top, "types"), file_, values_, errors_);
    if (top.count("inputs")) read_workflow_inputs(top.at("inputs"));
    if (top.count("pools")) read_pools(top.at("pools"));
    if (top.count("concurrency")) read_positive(top.at("concurrency"), workflow_.concurrency);
    if (top.count("max_active_runs")) read_positive(top.at("max_active_runs"), workflow_.max_active_runs);
    if (top.count("defaults")) read_defaults(top.at("defaults"));
    read_tasks(top, *root);
    std::optional<std::vector<std::size_t>> order = order_tasks(drafts_, errors_);
    check_with_executors();
    apply_declared_types();
    check_bindings(drafts_, workflow_.inputs, errors_);
    check_pools();
    return finish(order.value_or(std::vector<std::size_t>{}));
  }

 private:
  // ---- document and top level ------------------------------------------------

  std::optional<YAML::Node> parse_document() {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(yaml_));
    } catch (const YAML::ParserException& e) {
      add({file_, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
      return std::nullopt;
    }
    if (!root || root.IsNull()) {
      add({file_, 1, 1}, "the workflow file is empty: it needs a \"tasks:\" mapping of task name -> task");
      return std::nullopt;
    }
    if (!root.IsMap()) {
      add(location_of(root, file_), "a workflow file must be a mapping with a \"tasks:\" key, not " + describe_node(root));
      return std::nullopt;
    }
    return root;
  }

  std::map<std::string, MapEntry> read_top_level(const YAML::Node& root) {
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

  static YAML::Node entry_value(const std::map<std::string, MapEntry>& top, const std::string& key) {
    auto found = top.find(key);
    return found == top.end() ? YAML::Node() : found->second.value;
  }

  void read_header(const std::map<std::string, MapEntry>& top) {
    workflow_.name = fs::path(file_).stem().string();
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

  void read_schedule(const MapEntry& entry) {
    std::optional<std::string> schedule = read_text(entry, "");
    if (!schedule) return;
    if (std::optional<std::string> problem = cron_problem(*schedule)) {
      add(entry.value_where, "schedule \"" + *schedule + "\" is not a valid cron expression: " + *problem);
      return;
    }
    workflow_.schedule = *schedule;
  }

  void read_timezone(const MapEntry& entry) {
    std::optional<std::string> timezone = read_text(entry, "");
    if (!timezone) return;
    if (std::optional<std::string> problem = timezone_problem(*timezone)) {
      add(entry.value_where, *problem);
      return;
    }
    workflow_.timezone = *timezone;
  }

  // ---- workflow inputs -------------------------------------------------------

  void read_workflow_inputs(const MapEntry& block) {
    if (block.value.IsNull()) return;
    if (!block.value.IsMap()) {
      add(block.value_where, "\"inputs\" must be a mapping of input name -> {type: T, default: V} or a default value, not " +
                                 describe_node(block.value));
      return;
    }
    for (const MapEntry& entry : map_entries(block.value, file_, errors_, "inputs: ", "input")) {
      if (std::optional<WorkflowInput> input = read_workflow_input(entry)) workflow_.inputs.push_back(std::move(*input));
    }
  }

  std::optional<WorkflowInput> read_workflow_input(const MapEntry& entry) {
    WorkflowInput input{entry.key, Type::any(), std::nullopt, entry.key_where};
    std::string context = "workflow input \"" + entry.key + "\": ";
    bool spec_form = entry.value.IsMap() && (entry.value["type"] || entry.value["default"]);
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
      } else if (key.key != "description") {
        add(key.key_where, unknown_key(context, key.key, {"type", "default", "description"}, "key"));
      }
    }
    if (!has_type) {
      if (input.default_value) input.type = infer_type(*input.default_value);
    } else if (input.default_value) {
      GivenType given = type_of_given(*input.default_value, input.type);  // "2024-05-01" is a date
      Assignability fits = is_assignable(given.type, input.type);
      if (!given.problem.empty()) {
        add(location_of(entry.value["default"], file_), context + "the default " + given.problem);
      } else if (!fits) {
        add(location_of(entry.value["default"], file_),
            context + "the default " + short_json(*input.default_value) + " is " + given.type.to_string() +
                ", but the input is " + input.type.to_string() + (fits.plain ? "" : ": " + fits.reason));
      }
    }
    return input;
  }

  // ---- limits ----------------------------------------------------------------

  void read_pools(const MapEntry& block) {
    if (block.value.IsNull()) return;
    if (!block.value.IsMap()) {
      add(block.value_where, "\"pools\" must be a mapping of pool name -> size, not " + describe_node(block.value));
      return;
    }
    for (const MapEntry& entry : map_entries(block.value, file_, errors_, "pools: ")) {
      int size = 0;
      if (read_positive(entry, size)) workflow_.pools.emplace_back(entry.key, size);
    }
  }

  bool read_positive(const MapEntry& entry, int& out) {
    boost::json::value value = entry.value.IsScalar() ? scalar_to_json(entry.value) : boost::json::value();
    if (value.is_int64() && value.get_int64() >= 1 && value.get_int64() <= 1'000'000) {
      out = static_cast<int>(value.get_int64());
      return true;
    }
    add(entry.value_where, "\"" + entry.key + "\" must be a whole number >= 1, not " + describe_node(entry.value));
    return false;
  }

  // Every task's pool must be declared in `pools:`.
  void check_pools() {
    for (const TaskDraft& draft : drafts_) {
      const std::string& pool = draft.task.pool;
      if (pool.empty()) continue;
      bool declared = std::any_of(workflow_.pools.begin(), workflow_.pools.end(),
                                  [&](const auto& p) { return p.first == pool; });
      if (declared) continue;
      std::vector<std::string> names;
      for (const auto& p : workflow_.pools) names.push_back(p.first);
      add(draft.pool_where.known() ? draft.pool_where : draft.task.where,
          "task \"" + draft.task.name + "\": pool \"" + pool + "\" is not declared" + did_you_mean(pool, names) +
              "; declare it with a size under the top-level \"pools:\" (e.g. pools: {" + pool + ": 1})");
    }
  }

  // ---- defaults --------------------------------------------------------------

  void read_defaults(const MapEntry& block) {
    if (block.value.IsNull()) return;
    if (!block.value.IsMap()) {
      add(block.value_where, "\"defaults\" must be a mapping of task settings (timeout, retries, ...), not " +
                                 describe_node(block.value));
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
      } else {
        add(entry.key_where, unknown_key(context, key, defaults_keys, "key"));
      }
    }
  }

  // ---- tasks -----------------------------------------------------------------

  void read_tasks(const std::map<std::string, MapEntry>& top, const YAML::Node& root) {
    auto found = top.find("tasks");
    if (found == top.end()) {
      add(location_of(root, file_), "the workflow has no \"tasks:\" (a mapping of task name -> task)");
      return;
    }
    const MapEntry& block = found->second;
    if (block.value.IsSequence()) {
      add(block.value_where, "\"tasks\" must be a mapping of task name -> task, not a list (write `extract:` "
                             "instead of `- name: extract`)");
      return;
    }
    if (!block.value.IsMap() || block.value.size() == 0) {
      add(block.value_where, block.value.IsMap() || block.value.IsNull()
                                 ? "\"tasks\" is empty: a workflow needs at least one task"
                                 : "\"tasks\" must be a mapping of task name -> task, not " + describe_node(block.value));
      return;
    }
    for (const MapEntry& entry : map_entries(block.value, file_, errors_, "", "task")) read_task(entry);
  }

  void read_task(const MapEntry& entry) {
    TaskDraft draft;
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
      add(entry.key_where, "task name \"" + task.name + "\" is not valid: use letters, digits, \"_\" and \"-\", "
                           "starting with a letter or \"_\" (a \".\" would read as a path in {from: ...})");
    }
    if (!entry.value.IsMap()) {
      add(entry.value_where, context + "a task must be a mapping (executor, inputs, ...), not " + describe_node(entry.value));
      drafts_.push_back(std::move(draft));
      return;
    }
    std::vector<MapEntry> keys = map_entries(entry.value, file_, errors_, context);
    draft.executor = find_executor(keys, entry, context, task.executor);
    const MapEntry* inputs_entry = nullptr;
    for (const MapEntry& key : keys) {
      draft.key_where[key.key] = key.key_where;
      if (key.key == "inputs" || key.key == "input") {
        if (inputs_entry) {
          add(key.key_where, context + "\"inputs\" and its alias \"input\" are both given; keep one");
          continue;
        }
        inputs_entry = &key;
        read_bindings(key, context, task);
      } else {
        read_task_key(key, context, draft);
      }
    }
    drafts_.push_back(std::move(draft));
  }

  const ExecutorInfo* find_executor(const std::vector<MapEntry>& keys, const MapEntry& task_entry,
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

  void read_task_key(const MapEntry& key, const std::string& context, TaskDraft& draft) {
    CompiledTask& task = draft.task;
    const std::string& name = key.key;
    if (name == "executor") return;  // read first, by find_executor
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
    } else if (name == "input_type") {
      draft.input_type = read_input_type(key, context);
    } else if (name == "output_type") {
      draft.output_type = read_type(key, context);
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

  void read_bindings(const MapEntry& block, const std::string& context, CompiledTask& task) {
    if (block.value.IsNull()) return;
    if (!block.value.IsMap()) {
      add(block.value_where, context + "\"" + block.key + "\" must be a mapping of parameter name -> value, not " +
                                 describe_node(block.value));
      return;
    }
    for (const MapEntry& entry : map_entries(block.value, file_, errors_, context, "input")) {
      if (entry.key == "upstream") {
        add(entry.key_where, context + "\"upstream\" is a reserved input name: it receives the outputs of all "
                                       "direct upstream tasks; rename the input");
        continue;
      }
      if (std::optional<InputBinding> binding = read_binding(entry, "task \"" + task.name + "\" input \"" + entry.key + "\": ")) {
        task.inputs.push_back(std::move(*binding));
      }
    }
  }

  std::optional<InputBinding> read_binding(const MapEntry& entry, const std::string& context) {
    InputBinding binding;
    binding.name = entry.key;
    binding.where = entry.value_where;
    binding.kind = InputBinding::Kind::constant;
    const YAML::Node& value = entry.value;
    if (!value.IsMap()) return constant_binding(value, std::move(binding));
    std::vector<MapEntry> keys = map_entries(value, file_, errors_, context);
    auto has = [&keys](const char* key) {
      return std::any_of(keys.begin(), keys.end(), [key](const MapEntry& k) { return k.key == key; });
    };
    if (has("from")) {
      if (keys.size() != 1) {
        add(entry.value_where, context + "a reference takes only \"from\" (to pass a constant mapping that has a "
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
    if (keys.size() == 1 && keys.front().key == "value")
      return constant_binding(keys.front().value, std::move(binding));
    return constant_binding(value, std::move(binding));
  }

  std::optional<InputBinding> constant_binding(const YAML::Node& value, InputBinding binding) {
    std::optional<boost::json::value> constant = values_.to_json(value);
    if (!constant) return std::nullopt;
    binding.constant = std::move(*constant);
    return binding;
  }

  std::optional<InputBinding> read_reference(const MapEntry& from, const std::string& context, InputBinding binding) {
    if (!is_string_scalar(from.value)) {
      add(from.value_where, context + "\"from\" must be a reference such as extract.rows, not " + describe_node(from.value));
      return std::nullopt;
    }
    const std::string& text = from.value.Scalar();
    std::vector<std::string> segments;
    std::istringstream stream(text);
    for (std::string segment; std::getline(stream, segment, '.');) segments.push_back(segment);
    bool empty_segment = text.empty() || text.back() == '.' ||
                         std::any_of(segments.begin(), segments.end(), [](const std::string& s) { return s.empty(); });
    if (empty_segment) {
      add(from.value_where, context + "reference \"" + text + "\" is not valid: write task or task.field.field "
                                      "(list indexes as numbers: extract.rows.0.id)");
      return std::nullopt;
    }
    binding.kind = InputBinding::Kind::task_output;
    binding.task = segments.front();
    binding.path.assign(segments.begin() + 1, segments.end());
    binding.where = from.value_where;
    return binding;
  }

  void read_depends_on(const MapEntry& key, const std::string& context, TaskDraft& draft) {
    auto add_name = [&](const YAML::Node& node) {
      if (!is_string_scalar(node)) {
        add(location_of(node, file_), context + "depends_on entries must be task names, not " + describe_node(node));
        return;
      }
      draft.explicit_depends.emplace_back(node.Scalar(), location_of(node, file_));
    };
    if (key.value.IsSequence()) {
      for (const YAML::Node& item : key.value) add_name(item);
    } else if (key.value.IsScalar()) {
      add_name(key.value);
    } else {
      add(key.value_where, context + "depends_on must be a task name or a list of task names, not " + describe_node(key.value));
    }
  }

  std::optional<Type> read_input_type(const MapEntry& key, const std::string& context) {
    std::optional<Type> type = read_type(key, context);
    if (type && type->kind() != TypeKind::object) {
      add(key.value_where, context + "input_type must be an object type ({field: T, ...} or a named object type), "
                                     "not " + type->to_string() + ": its fields are the task's inputs");
      return std::nullopt;
    }
    return type;
  }

  // ---- executors and signatures ----------------------------------------------

  void check_with_executors() {
    // A refused value left nulls in task settings: the executors' complaints
    // about them would only hide the real error.
    if (values_.refused_any()) return;
    for (TaskDraft& draft : drafts_) {
      if (draft.executor == nullptr) continue;
      TaskCheckRequest request{workflow_.name, workflow_.file.string(), workflow_.dir.string(), draft.task.name,
                               boost::json::serialize(draft.task.config), draft.task.workdir.string(), {}};
      for (const auto& [key, value] : draft.task.env) request.env.push_back(key + "=" + value);
      const std::string context = "task \"" + draft.task.name + "\": ";
      TaskCheckResult result;
      try {
        result = executors_.check_task(draft.executor->name, request);
      } catch (const std::exception& e) {
        add(draft.task.where, context + "executor \"" + draft.executor->name + "\" failed while checking the task: " + e.what());
        continue;
      }
      for (const auto& [key, message] : result.errors) add(draft.where_of(key), context + message);
      if (!result.signature_json) continue;
      try {
        draft.task.signature = parse_signature_json(*result.signature_json, named_types_.resolver());
      } catch (const TypeError& e) {
        add(draft.task.where, context + "executor \"" + draft.executor->name + "\" reported an invalid signature: " +
                                  e.describe());
      }
    }
  }

  // `input_type` / `output_type` in the file win over what the executor reported.
  void apply_declared_types() {
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

  // ---- result ----------------------------------------------------------------

  CompileResult finish(const std::vector<std::size_t>& order) {
    std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.where.line, a.where.col) < std::pair(b.where.line, b.where.col);
    });
    if (!errors_.empty()) return CompileResult{std::nullopt, std::move(errors_)};
    for (std::size_t index : order) workflow_.tasks.push_back(std::move(drafts_[index].task));
    workflow_.content_hash = sha256_hex(boost::json::serialize(workflow_.spec_json()));
    return CompileResult{std::move(workflow_), {}};
  }

  // ---- value readers -----------------------------------------------------------

  std::optional<std::string> read_text(const MapEntry& entry, const std::string& context) {
    if (entry.value.IsScalar()) return entry.value.Scalar();
    add(entry.value_where, context + "\"" + entry.key + "\" must be a string, not " + describe_node(entry.value));
    return std::nullopt;
  }

  std::optional<int> read_count(const MapEntry& entry, const std::string& context) {
    boost::json::value value = entry.value.IsScalar() ? scalar_to_json(entry.value) : boost::json::value();
    if (value.is_int64() && value.get_int64() >= 0 && value.get_int64() <= 1'000'000) {
      return static_cast<int>(value.get_int64());
    }
    add(entry.value_where, context + "\"" + entry.key + "\" must be a whole number >= 0, not " + describe_node(entry.value));
    return std::nullopt;
  }

  std::optional<std::chrono::milliseconds> read_duration(const MapEntry& entry, const std::string& context) {
    if (entry.value.IsScalar()) {
      if (std::optional<std::chrono::milliseconds> duration = parse_duration(entry.value.Scalar())) return duration;
    }
    add(entry.value_where, context + "\"" + entry.key + "\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                                     "number of seconds, not " + describe_node(entry.value));
    return std::nullopt;
  }

  void read_env(const MapEntry& entry, const std::string& context, std::vector<std::pair<std::string, std::string>>& env) {
    if (!entry.value.IsMap()) {
      add(entry.value_where, context + "\"env\" must be a mapping of NAME -> value, not " + describe_node(entry.value));
      return;
    }
    for (const MapEntry& variable : map_entries(entry.value, file_, errors_, context + "env: ", "variable")) {
      if (!variable.value.IsScalar()) {
        add(variable.value_where, context + "env \"" + variable.key + "\" must be a single value, not " +
                                      describe_node(variable.value));
        continue;
      }
      auto same = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == variable.key; });
      if (same != env.end()) {
        same->second = variable.value.Scalar();
      } else {
        env.emplace_back(variable.key, variable.value.Scalar());
      }
    }
  }

  std::optional<fs::path> read_workdir(const MapEntry& entry, const std::string& context) {
    std::optional<std::string> text = read_text(entry, context);
    if (!text) return std::nullopt;
    if (text->empty()) {
      add(entry.value_where, context + "\"workdir\" is empty; leave it out to run in the workflow's directory");
      return std::nullopt;
    }
    return (workflow_.dir / *text).lexically_normal();
  }

  std::optional<Type> read_type(const MapEntry& entry, const std::string& context) {
    if (!entry.value.IsMap() && !is_string_scalar(entry.value)) {
      add(entry.value_where, context + "\"" + entry.key + "\" must be a type such as \"list[int]\", a named type or a "
                                       "mapping of field -> type, not " + describe_node(entry.value));
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

  // ---- helpers ---------------------------------------------------------------

  static std::string unknown_key(const std::string& context, const std::string& key,
                                 const std::vector<std::string>& allowed, const std::string& noun,
                                 const std::string& qualifier = "") {
    std::string suggestion = did_you_mean(key, allowed);
    return context + "unknown " + noun + " \"" + key + "\"" + qualifier +
           (suggestion.empty() ? "; expected one of: " + join_names(allowed) : suggestion);
  }

  static bool is_valid_name(const std::string& name, bool allow_dot) {
    if (name.empty()) return false;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (!allow_dot && !(std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_')) return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return word(c) || c == '-' || (allow_dot && c == '.'); });
  }

  static std::string short_json(const boost::json::value& value) {
    std::string text = boost::json::serialize(value);
    return text.size() <= 40 ? text : text.substr(0, 37) + "...";
  }

  void add(SourceLocation where, std::string message) { errors_.push_back({std::move(where), std::move(message)}); }

  std::string_view yaml_;
  std::string file_;  // as the user gave it, for messages
  const ExecutorCatalog& executors_;
  std::vector<Diagnostic> errors_;
  YamlValueReader values_;  // after errors_, which it reports into
  CompiledWorkflow workflow_;
  TaskDefaults defaults_;
  NamedTypes named_types_;
  std::vector<TaskDraft> drafts_;
};

CompileResult run_compiler(std::string_view yaml, const std::filesystem::path& file, const ExecutorCatalog& executors) {
  return WorkflowCompiler(yaml, file, executors).run();
}

}  // namespace

}  // namespace ork::host
