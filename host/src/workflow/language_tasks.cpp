// Function-tasks: a task written as {file: x.rs, function: f} (or naming
// `language:`, or running on an executor whose plugin is a language, as
// `executor: python` does) is given to its language plugin. Reading such a
// task picks its language and executor and checks its keys; checking it calls
// the language's introspect (the task's signature) then prepare (the build,
// and the executor config the task runs with). Part of the workflow compiler
// (workflow_compiler.hpp); the rest of the compiler only sees the hooks in
// read_task, read_task_key and check_with_executors.
#include "workflow/workflow_compiler.hpp"

#include "workflow/language_catalog.hpp"

namespace ork::host::compiling {

namespace {

const MapEntry* find_key(const std::vector<MapEntry>& keys, std::string_view name);
bool contains(const std::vector<std::string>& items, std::string_view item);
std::string known_languages(const LanguageCatalog* languages);  // "python (.py), rust (.rs)"
std::vector<std::string> language_names(const LanguageCatalog* languages);
std::vector<std::string> all_extensions(const LanguageCatalog* languages);
std::string string_key(const boost::json::object& config, std::string_view key);

}  // namespace

bool WorkflowCompiler::read_language_task(const std::vector<MapEntry>& keys, const MapEntry& task_entry,
                                          const std::string& context, TaskDraft& draft) {
  const LanguageCatalog* languages = executors_.languages();
  const MapEntry* language_key = find_key(keys, "language");
  const MapEntry* executor_key = find_key(keys, "executor");
  const MapEntry* file_key = find_key(keys, "file");
  std::optional<std::string> executor = executor_key && executor_key->value.is_scalar()
                                            ? std::optional<std::string>(executor_key->value.scalar())
                                            : (executor_key ? std::nullopt : defaults_.executor);
  const LanguageInfo* language = nullptr;
  if (language_key) {
    std::optional<std::string> name = read_text(*language_key, context);
    if (!name) return true;
    language = languages ? languages->find_language(*name) : nullptr;
    if (!language) {
      add(language_key->value_where, context + "unknown language \"" + *name + "\"" +
                                         did_you_mean(*name, language_names(languages)) +
                                         "; known languages: " + known_languages(languages));
      return true;
    }
  } else if (executor_key) {
    // `executor: python`: the executor's own plugin is the language.
    language = executor && languages ? languages->language_of_executor(*executor) : nullptr;
    if (!language) return false;
    draft.language_by_executor = true;
  } else if (file_key && is_string_scalar(file_key->value)) {
    std::string extension = std::filesystem::path(file_key->value.scalar()).extension().string();
    language = languages ? languages->language_for_extension(extension) : nullptr;
    if (!language && executor) {
      language = languages ? languages->language_of_executor(*executor) : nullptr;  // defaults: {executor: python}
      if (!language) return false;                                                  // an executor's own `file:` key
      draft.language_by_executor = true;
    } else if (!language) {
      add(file_key->value_where,
          context + "no language for " + (extension.empty() ? "files without an extension" : "\"" + extension + "\" files") +
              did_you_mean(extension, all_extensions(languages)) + "; known languages: " + known_languages(languages) +
              ". Name one with `language:`, or run the file with an `executor:`");
      return true;
    }
  } else if (executor && languages && (language = languages->language_of_executor(*executor))) {
    draft.language_by_executor = true;  // defaults: {executor: python} and a `module:` task
  } else {
    return false;
  }
  draft.language = language;
  // The executor: the task's (which the language must run on), else the
  // defaults' when the language runs on it, else the language's first.
  std::string chosen;
  if (executor_key) {
    if (!executor) return true;  // not a string: read_text reports it below
    chosen = *executor;
    if (!contains(language->executors, chosen)) {
      add(executor_key->value_where, context + "language \"" + language->name + "\" runs on executor " +
                                         join_names(language->executors, " or ") + ", not \"" + chosen +
                                         "\"; remove `executor:` or pick one of those");
      draft.language = nullptr;
      return true;
    }
  } else if (executor && contains(language->executors, *executor)) {
    chosen = *executor;
  } else if (!language->executors.empty()) {
    chosen = language->executors.front();
  }
  draft.task.executor = chosen;
  draft.task.language = language->name;
  draft.executor = executors_.find_executor(chosen);
  if (!draft.executor) {
    add(executor_key ? executor_key->value_where : task_entry.key_where,
        context + "language \"" + language->name + "\" runs on executor \"" + chosen +
            "\", which is not loaded; install the plugin that provides it (see `ork plugins`)");
    draft.language = nullptr;
    return true;
  }
  if (draft.language_by_executor) return true;  // the executor's keys say what is required
  for (const char* required : {"file", "function"}) {
    if (find_key(keys, required)) continue;
    add(task_entry.key_where, context + "missing \"" + required + "\": a " + language->name +
                                  " task names its source file and the function to run ({file: tasks/x" +
                                  (language->extensions.empty() ? "" : language->extensions.front()) +
                                  ", function: f})");
  }
  return true;
}

void WorkflowCompiler::read_language_key(const MapEntry& key, const std::string& context, TaskDraft& draft) {
  const LanguageInfo& language = *draft.language;
  std::vector<std::string> allowed{"file", "function"};
  allowed.insert(allowed.end(), language.task_keys.begin(), language.task_keys.end());
  if (draft.language_by_executor) {
    allowed.insert(allowed.end(), draft.executor->task_keys.begin(), draft.executor->task_keys.end());
  }
  if (key.key == "language") return;  // read by read_language_task
  if (contains(allowed, key.key)) {
    draft.task.config[key.key] = values_.to_json(key.value).value_or(nullptr);
    return;
  }
  std::vector<std::string> all = task_host_keys;
  all.push_back("language");
  all.insert(all.end(), allowed.begin(), allowed.end());
  add(key.key_where, unknown_key(context, key.key, all, "key", " for language \"" + language.name + "\""));
}

LanguageTaskRequest WorkflowCompiler::language_request(const TaskDraft& draft, std::uint64_t check_pass) const {
  const CompiledTask& task = draft.task;
  LanguageTaskRequest request;
  request.workflow_name = workflow_.name;
  request.workflow_file = workflow_.file.string();
  request.workflow_dir = workflow_.dir.string();
  request.task_name = task.name;
  request.file = string_key(task.config, "file");
  if (!request.file.empty()) request.file_path = (workflow_.dir / request.file).lexically_normal().string();
  request.function = string_key(task.config, "function");
  request.config_json = boost::json::serialize(task.config);
  request.executor = task.executor;
  request.workdir = task.workdir.string();
  for (const auto& [key, value] : task.env) request.env.push_back(key + "=" + value);
  request.check_pass = check_pass;
  return request;
}

void WorkflowCompiler::check_language_task(TaskDraft& draft, std::uint64_t check_pass) {
  const LanguageCatalog* languages = executors_.languages();
  CompiledTask& task = draft.task;
  const std::string context = "task \"" + task.name + "\": ";
  prepare_pass_ = check_pass;
  LanguageTaskRequest request = language_request(draft, check_pass);
  const std::string& name = draft.language->name;
  // Errors inside the task's source start with its own FILE:LINE:COL; they
  // are placed at the key they are about (`file:`, `function:`) in the workflow.
  auto report = [&](const std::vector<std::pair<std::string, std::string>>& errors) {
    for (const auto& [key, message] : errors) add(draft.where_of(key), context + message);
    return !errors.empty();
  };
  try {
    TaskCheckResult checked = languages->introspect(name, request);
    if (report(checked.errors)) return;
    if (!checked.signature_json) {
      add(task.where, context + "language \"" + name + "\" reported neither a signature nor an error");
      return;
    }
    try {
      task.signature = parse_signature_json(*checked.signature_json, named_types_.resolver());
    } catch (const TypeError& e) {
      add(task.where, context + "language \"" + name + "\" reported an invalid signature: " + e.describe());
    }
    if (task.cache) {
      // A function-task's code is at least its source file; a language may
      // name more (the modules it imports from the workflow directory).
      if ((!checked.code || checked.code->files.empty()) && !request.file_path.empty()) {
        checked.code = CodeIdentity{{request.file_path}, ""};
      }
      settle_code_identity(draft, checked, context);
    }
  } catch (const std::exception& e) {
    add(task.where, context + "language \"" + name + "\" failed while checking the task: " + e.what());
  }
}

void WorkflowCompiler::prepare_language_tasks() {
  // Nothing is built for a workflow that is refused anyway.
  if (!errors_.empty()) return;
  const LanguageCatalog* languages = executors_.languages();
  for (TaskDraft& draft : drafts_) {
    if (draft.language == nullptr) continue;
    CompiledTask& task = draft.task;
    const std::string context = "task \"" + task.name + "\": ";
    const std::string& name = draft.language->name;
    try {
      LanguagePrepareResult prepared = languages->prepare(name, language_request(draft, prepare_pass_));
      for (const auto& [key, message] : prepared.errors) add(draft.where_of(key), context + message);
      if (!prepared.errors.empty()) continue;
      task.source = std::move(task.config);
      task.config = boost::json::parse(*prepared.config_json).as_object();
    } catch (const std::exception& e) {
      add(task.where, context + "language \"" + name + "\" failed while building the task: " + e.what());
    }
  }
}

namespace {

const MapEntry* find_key(const std::vector<MapEntry>& keys, std::string_view name) {
  auto it = std::find_if(keys.begin(), keys.end(), [&](const MapEntry& key) { return key.key == name; });
  return it == keys.end() ? nullptr : &*it;
}

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string known_languages(const LanguageCatalog* languages) {
  if (!languages) return "none (no language plugin was loaded; see `ork plugins`)";
  std::vector<std::string> names;
  for (const LanguageInfo* info : languages->language_list()) {
    names.push_back(info->name + (info->extensions.empty() ? "" : " (" + join_names(info->extensions) + ")"));
  }
  return names.empty() ? "none (no language plugin was loaded; see `ork plugins`)" : join_names(names);
}

std::vector<std::string> language_names(const LanguageCatalog* languages) {
  std::vector<std::string> names;
  if (languages) {
    for (const LanguageInfo* info : languages->language_list()) names.push_back(info->name);
  }
  return names;
}

std::vector<std::string> all_extensions(const LanguageCatalog* languages) {
  std::vector<std::string> extensions;
  if (languages) {
    for (const LanguageInfo* info : languages->language_list()) {
      extensions.insert(extensions.end(), info->extensions.begin(), info->extensions.end());
    }
  }
  return extensions;
}

std::string string_key(const boost::json::object& config, std::string_view key) {
  const boost::json::value* value = config.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

}  // namespace ork::host::compiling
