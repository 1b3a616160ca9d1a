// The task key `cache:` (issue 14, docs/workflows.md "Caching"): reading
// `cache: true` / `cache: {ttl: 7d, version: "2"}`, and settling each cached
// task's code identity from what its executor reported at check time. Kept
// apart from task_reader.cpp so the other task keys and this feature do not
// edit the same lines.
#include "workflow/cache_code.hpp"
#include "workflow/workflow_compiler.hpp"

namespace ork::host::compiling {

namespace {

const std::vector<std::string> cache_keys{"ttl", "version"};

const char* const cache_usage = "write cache: true, or a mapping such as cache: {ttl: 7d, version: \"2\"}";

}  // namespace

void WorkflowCompiler::read_cache(const MapEntry& key, const std::string& context, TaskDraft& draft) {
  const YamlNode& value = key.value;
  if (value.is_scalar()) {
    if (boost::json::value flag = scalar_to_json(value); flag.is_bool()) {
      if (flag.as_bool()) draft.task.cache = TaskCacheSettings{};
      return;
    }
  }
  if (!value.is_map()) {
    add(key.value_where, context + "\"cache\" must be true, false or a mapping of ttl and version, not " +
                             describe_node(value) + "; " + cache_usage);
    return;
  }
  TaskCacheSettings settings;
  const std::string inner = context + "cache: ";
  for (const MapEntry& entry : map_entries(value, file_, errors_, inner)) {
    if (entry.key == "ttl") {
      std::optional<std::chrono::milliseconds> ttl = read_duration(entry, inner);
      if (ttl && ttl->count() <= 0) {
        add(entry.value_where, inner + "\"ttl\" must be longer than zero (leave ttl out for entries that never expire)");
      } else if (ttl) {
        settings.ttl = *ttl;
      }
    } else if (entry.key == "version") {
      if (!entry.value.is_scalar() || entry.value.scalar().empty()) {
        add(entry.value_where, inner + "\"version\" must be a non-empty text such as \"2\", not " +
                                   describe_node(entry.value));
        continue;
      }
      settings.version = entry.value.scalar();
    } else {
      add(entry.key_where, unknown_key(inner, entry.key, cache_keys, "key"));
    }
  }
  draft.task.cache = std::move(settings);
}

void WorkflowCompiler::settle_code_identity(TaskDraft& draft, const TaskCheckResult& result,
                                            const std::string& context) {
  TaskCacheSettings& cache = *draft.task.cache;
  const bool named = result.code && !result.code->files.empty();
  if (!named) {
    // An explicit version is the author's promise to bump it when the code
    // changes: accepted in place of a code identity ork cannot compute.
    if (!cache.version.empty()) return;
    std::string why = result.code && !result.code->why_not.empty()
                          ? result.code->why_not
                          : "executor \"" + draft.task.executor + "\" does not report which files make up a task's code";
    add(draft.where_of("cache"), context + "cache: ork cannot tell when this task's code changes: " + why +
                                     ". Add a version to the cache (cache: {version: \"1\"}) and change it whenever "
                                     "that code changes, or remove cache:");
    return;
  }
  std::string error;
  std::optional<CodeHash> code = hash_code_files(result.code->files, workflow_.dir, error);
  if (!code) {
    add(draft.where_of("cache"), context + "cache: " + error);
    return;
  }
  cache.code_hash = std::move(code->hash);
  cache.code_files = std::move(code->files);
}

}  // namespace ork::host::compiling
