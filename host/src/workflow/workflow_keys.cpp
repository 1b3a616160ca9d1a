// The workflow-level keys the workflow compiler reads (workflow_compiler.hpp):
// the header (name, description, schedule, timezone), typed `inputs:`, the
// limits (`pools:`, `concurrency:`, `max_active_runs:`, `timeout:`) and
// `defaults:`, and the check that every task's pool is declared.
#include "workflow/workflow_compiler.hpp"

namespace ork::host::compiling {

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

}  // namespace ork::host::compiling
