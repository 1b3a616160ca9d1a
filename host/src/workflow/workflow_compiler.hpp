// The workflow compiler's reader (compiler.hpp is its public face), shared
// by the files that implement it, one responsibility each: compiler.cpp runs
// the passes in order (document, checks, result); workflow_keys.cpp reads the
// workflow-level keys (header, inputs, pools and limits, defaults);
// task_reader.cpp reads each task (its keys, input bindings, depends_on);
// executor_checks.cpp checks each task with its executor; value_readers.cpp
// reads single values (texts, counts, durations, env, types). The task keys
// of later features have files of their own (dynamic_keys.cpp, map_keys.cpp,
// cache_settings.cpp, language_tasks.cpp). Included only by those files.
#pragma once

#include "workflow/compiler.hpp"

#include <yaml-cpp/exceptions.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#include "types/assignability.hpp"
#include "types/signature.hpp"
#include "types/temporal.hpp"
#include "workflow/binding_check.hpp"
#include "workflow/content_hash.hpp"
#include "workflow/cron_check.hpp"
#include "workflow/duration.hpp"
#include "workflow/map_check.hpp"
#include "workflow/named_types.hpp"
#include "workflow/suggest.hpp"
#include "workflow/task_draft.hpp"
#include "workflow/task_graph.hpp"
#include "workflow/trigger_rules.hpp"
#include "workflow/yaml_nodes.hpp"

namespace ork::host::compiling {

inline const std::vector<std::string> top_level_keys{"name",     "description", "schedule",       "timezone",
                                                     "defaults", "types",       "inputs",         "tasks",
                                                     "pools",    "concurrency", "max_active_runs", "timeout"};
inline const std::vector<std::string> defaults_keys{
    "executor", "timeout", "retries", "retry_delay", "env", "workdir", "max_concurrency", "max_retry_delay", "pool"};
inline const std::vector<std::string> task_host_keys{"executor",    "inputs",          "input",           "depends_on",
                                                     "env",         "workdir",         "timeout",         "retries",
                                                     "retry_delay", "max_concurrency", "max_retry_delay", "pool",
                                                     "input_type",  "output_type",     "description",
                                                     "trigger_rule", "when",            "map",
                                                     "cache"};

// What `defaults:` sets for every task that does not set it itself.
struct TaskDefaults {
  std::optional<std::string> executor;
  std::chrono::milliseconds timeout{0};
  int retries = 0;
  std::chrono::milliseconds retry_delay{0};
  std::vector<std::pair<std::string, std::string>> env;
  std::filesystem::path workdir;  // absolute
  int max_concurrency = 0;
  std::chrono::milliseconds max_retry_delay{std::chrono::hours(1)};
  std::string pool;
  SourceLocation pool_where;
};

class WorkflowCompiler {
 public:
  WorkflowCompiler(std::string_view yaml, const std::filesystem::path& file, const ExecutorCatalog& executors);

  CompileResult run();

 private:
  // ---- document and top level (compiler.cpp) ---------------------------------

  // Reads the file into the workflow and the task drafts; false when it is
  // not a mapping at all (reported).
  bool read_document();

  std::optional<YamlDocument> parse_document();

  std::map<std::string, MapEntry> read_top_level(const YamlNode& root);

  static YamlNode entry_value(const std::map<std::string, MapEntry>& top, const std::string& key);

  // ---- header (workflow_keys.cpp) -----------------------------------------------

  void read_header(const std::map<std::string, MapEntry>& top);

  void read_schedule(const MapEntry& entry);

  void read_timezone(const MapEntry& entry);

  // ---- workflow inputs (workflow_keys.cpp) ------------------------------------

  void read_workflow_inputs(const MapEntry& block);

  std::optional<WorkflowInput> read_workflow_input(const MapEntry& entry);

  // ---- limits (workflow_keys.cpp) ---------------------------------------------

  void read_pools(const MapEntry& block);

  bool read_positive(const MapEntry& entry, int& out);

  // `timeout:` of the whole run: a duration longer than zero.
  void read_run_timeout(const MapEntry& entry);

  // Every task's pool must be declared in `pools:`.
  void check_pools();

  // ---- defaults (workflow_keys.cpp) -------------------------------------------

  void read_defaults(const MapEntry& block);

  // ---- tasks (task_reader.cpp) ------------------------------------------------

  void read_tasks(const std::map<std::string, MapEntry>& top, const YamlNode& root);

  void read_task(const MapEntry& entry);

  const ExecutorInfo* find_executor(const std::vector<MapEntry>& keys, const MapEntry& task_entry,
                                    const std::string& context, std::string& executor_name);

  void read_task_key(const MapEntry& key, const std::string& context, TaskDraft& draft);

  void read_bindings(const MapEntry& block, const std::string& context, TaskDraft& draft);

  std::optional<InputBinding> read_binding(const MapEntry& entry, const std::string& context);

  std::optional<InputBinding> constant_binding(const YamlNode& value, InputBinding binding);

  std::optional<InputBinding> read_reference(const MapEntry& from, const std::string& context, InputBinding binding);

  // `{ref: tasks.T.output.f}`, the upstream ork's spelling of `{from: T.f}`.
  std::optional<InputBinding> read_upstream_reference(const MapEntry& ref, const std::string& context,
                                                      InputBinding binding);

  // "a.b..c" -> {"a", "b", "", "c"}: empty segments kept, for the caller to refuse.
  static std::vector<std::string> split_path(const std::string& text);

  void read_depends_on(const MapEntry& key, const std::string& context, TaskDraft& draft);

  std::optional<Type> read_input_type(const MapEntry& key, const std::string& context);

  // ---- dynamic workflows (dynamic_keys.cpp) ------------------------------------

  std::optional<TriggerRule> read_trigger_rule(const MapEntry& key, const std::string& context);

  void read_when(const MapEntry& key, const std::string& context, TaskDraft& draft);

  // Types every `when:` against the signatures (after check_with_executors).
  void check_conditions();

  std::optional<Type> condition_path_type(const CompiledTask& task, const ConditionPath& path,
                                          const std::vector<std::string>& roots, std::string& error);

  // The place of character `offset` of a condition that starts at `start`.
  SourceLocation condition_location(const SourceLocation& start, std::size_t offset) const;

  // Where line `line` (1-based) starts in the YAML text; npos past the end.
  std::size_t line_offset(int line) const;

  // ---- function-tasks of language plugins (language_tasks.cpp) ---------------

  // Picks the task's language and executor when it is a function-task; false
  // when it is not one (find_executor reads its executor then).
  bool read_language_task(const std::vector<MapEntry>& keys, const MapEntry& task_entry, const std::string& context,
                          TaskDraft& draft);

  void read_language_key(const MapEntry& key, const std::string& context, TaskDraft& draft);

  // introspect: the task's signature (from check_with_executors).
  void check_language_task(TaskDraft& draft, std::uint64_t check_pass);
  // ---- map (map_keys.cpp) -----------------------------------------------------

  void read_map(const MapEntry& key, const std::string& context, TaskDraft& draft);

  // A mapped task's output as downstream sees it: list[instance output].
  void apply_map_outputs();

  // ---- caching (cache_settings.cpp) -------------------------------------------

  void read_cache(const MapEntry& key, const std::string& context, TaskDraft& draft);

  // A cached task's code hash from the files its executor named, or a
  // compile error when it named none and the cache has no `version:`.
  void settle_code_identity(TaskDraft& draft, const TaskCheckResult& result, const std::string& context);

  // prepare: the build and the executor config, once everything else passed.
  void prepare_language_tasks();

  LanguageTaskRequest language_request(const TaskDraft& draft, std::uint64_t check_pass) const;

  // ---- executors and signatures (executor_checks.cpp) -------------------------

  void check_with_executors();

  // `input_type` / `output_type` in the file win over what the executor reported.
  void apply_declared_types();

  // ---- result (compiler.cpp) ---------------------------------------------------

  CompileResult finish(const std::vector<std::size_t>& order);

  // ---- value readers (value_readers.cpp) ---------------------------------------

  std::optional<std::string> read_text(const MapEntry& entry, const std::string& context);

  std::optional<int> read_count(const MapEntry& entry, const std::string& context);

  std::optional<std::chrono::milliseconds> read_duration(const MapEntry& entry, const std::string& context);

  void read_env(const MapEntry& entry, const std::string& context,
                std::vector<std::pair<std::string, std::string>>& env);

  std::optional<std::filesystem::path> read_workdir(const MapEntry& entry, const std::string& context);

  std::optional<Type> read_type(const MapEntry& entry, const std::string& context);

  // ---- helpers (value_readers.cpp) ----------------------------------------------

  static std::string unknown_key(const std::string& context, const std::string& key,
                                 const std::vector<std::string>& allowed, const std::string& noun,
                                 const std::string& qualifier = "");

  static bool is_valid_name(const std::string& name, bool allow_dot);

  static std::string short_json(const boost::json::value& value);

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
  std::uint64_t prepare_pass_ = 0;  // the check pass, handed to prepare too
};

}  // namespace ork::host::compiling
