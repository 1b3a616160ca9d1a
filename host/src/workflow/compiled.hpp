// The compiled form of a workflow file: every task with its executor config,
// input bindings, resolved dependencies, run settings and signature, in a
// topological order. Produced by the workflow compiler (workflow/compiler.hpp),
// consumed by the scheduler, `ork validate`, the store (as `spec_json()` +
// `content_hash`) and the HTTP API.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "types/signature.hpp"
#include "types/type.hpp"
#include "workflow/condition.hpp"
#include "workflow/trigger_rules.hpp"

namespace ork::host {

// Where one explicitly bound input of a task gets its value.
struct InputBinding {
  std::string name;  // the input (parameter) name
  enum class Kind { constant, task_output, workflow_input } kind = Kind::constant;
  boost::json::value constant;     // Kind::constant
  std::string task;                // Kind::task_output: the upstream task
  std::vector<std::string> path;   // Kind::task_output: path into its output ("rows","0","id"); may be empty
  std::string workflow_input;      // Kind::workflow_input: name in the workflow's `inputs:` block
  SourceLocation where;
};

struct WorkflowInput {
  std::string name;
  Type type;
  std::optional<boost::json::value> default_value;  // none = the input is required at run time
  SourceLocation where;
  std::string description;  // shown by the UI's inputs form
};

// A task's `cache:` (docs/workflows.md, "Caching"): reuse the output of an
// earlier successful attempt with the same cache key (scheduler/cache_key.hpp).
struct TaskCacheSettings {
  std::chrono::milliseconds ttl{0};  // 0 = entries never expire
  std::string version;               // `version:`, part of the key; "" = none
  // Hex SHA-256 over the files that make up the task's code, as its executor
  // named them at compile time (ork_check_sink.code_files); "" when the
  // executor could not name them and `version:` stands in for them.
  std::string code_hash;
  std::vector<std::string> code_files;  // those files, relative to the workflow directory where inside it
};

struct CompiledTask {
  std::string name;
  std::string executor;
  std::string description;
  boost::json::object config;  // executor-specific keys (those in ExecutorInfo::task_keys) as JSON
  // A function-task of a language plugin: its language, and its keys as
  // written (file, function, the language's keys) from which `config` was
  // prepared; a worker without the build prepares again from them.
  std::string language;
  boost::json::object source;
  std::vector<InputBinding> inputs;
  std::vector<std::string> depends_on;  // ALL direct upstream tasks (explicit + implied by references); sorted, unique
  std::vector<std::pair<std::string, std::string>> env;  // defaults' env, then the task's, in file order
  std::filesystem::path workdir;                         // absolute
  std::chrono::milliseconds timeout{0};                  // 0 = none
  int retries = 0;
  std::chrono::milliseconds retry_delay{0};  // before the first retry; doubles each attempt
  int max_concurrency = 0;                   // 0 = unlimited (across runs in one process)
  std::chrono::milliseconds max_retry_delay{std::chrono::hours(1)};  // cap of the backoff
  std::string pool;                          // named pool it takes a slot of; "" = none
  TriggerRule trigger_rule = TriggerRule::all_succeeded;  // `trigger_rule:`
  std::optional<Condition> when;                          // `when:`; none = always runs (per its trigger rule)
  // `map:` PARAM -> a binding that gives a list: the task runs once per
  // element (several are zipped). Empty = an ordinary task. For a mapped task
  // `signature.output` is what downstream sees, `list[instance_output]`.
  std::vector<InputBinding> map;
  Type instance_output;                      // the output of one instance (mapped tasks only)
  std::optional<TaskCacheSettings> cache;                 // `cache:`; none = never cached
  Signature signature;                       // introspected and/or declared; declared=false -> params unknown
  SourceLocation where;                      // the task's key in the file
};

struct CompiledWorkflow {
  std::string name, description;
  std::filesystem::path file;  // absolute
  std::filesystem::path dir;   // absolute
  std::string source;          // YAML text
  std::string schedule, timezone;  // may be empty
  std::vector<WorkflowInput> inputs;
  std::vector<std::pair<std::string, int>> pools;  // `pools:` name -> size
  int concurrency = 0;      // `concurrency:` cap on tasks running at once in one run; 0 = none
  int max_active_runs = 0;  // `max_active_runs:`; 0 = unlimited
  std::chrono::milliseconds timeout{0};  // `timeout:` of the whole run; 0 = none (`ork run --timeout` overrides)
  std::vector<CompiledTask> tasks;  // topological order; file order among tasks ready at the same time
  std::string content_hash;         // hex SHA-256 of serialize(spec_json())

  // Stable, complete JSON of the compiled workflow (not the YAML source),
  // with each task's signature (types as structural strings). Stored with the
  // workflow version; equal specs mean the same version.
  boost::json::object spec_json() const;
  // serialize(spec_json()), built a task at a time: a workflow of 100 000
  // tasks never holds every task's JSON object at once.
  std::string spec_text() const;
  // The same text handed to `write` in pieces (one per task), so that it can
  // be hashed without being held whole.
  void write_spec_text(const std::function<void(std::string_view)>& write) const;
  const CompiledTask* find_task(std::string_view name) const;
};

// The JSON of one task inside spec_json(), also used by `ork validate --json`
// and the API.
boost::json::object task_spec_json(const CompiledTask& task);

// Where a binding reads, as a user would write it: `list_files.paths`,
// `inputs.files`, or the constant's JSON (`ork validate`, run-time errors of map).
std::string binding_source_text(const InputBinding& binding);

}  // namespace ork::host
