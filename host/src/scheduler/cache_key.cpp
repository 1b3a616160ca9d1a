#include "scheduler/cache_key.hpp"

#include <boost/json.hpp>

#include "workflow/content_hash.hpp"

namespace ork::host {

std::string task_cache_key(const CompiledWorkflow& workflow, const CompiledTask& task, std::string_view input_json) {
  // The bindings as the spec writes them (constants, references), so that
  // binding an input differently changes the key even for equal values.
  boost::json::object spec = task_spec_json(task);
  boost::json::array env;
  for (const auto& [name, value] : task.env) env.push_back(boost::json::array{boost::json::string(name), boost::json::string(value)});
  const TaskCacheSettings none;
  const TaskCacheSettings& cache = task.cache ? *task.cache : none;
  boost::json::object definition{{"key_format", 1},
                                 {"workflow", workflow.name},
                                 {"task", task.name},
                                 {"executor", task.executor},
                                 {"config", task.config},
                                 {"env", std::move(env)},
                                 {"workdir", task.workdir.string()},
                                 {"inputs", spec.at("inputs")},
                                 {"code", cache.code_hash},
                                 {"version", cache.version}};
  // The input last and as the scheduler sent it: it is already the JSON
  // text the executor reads, and appending it avoids parsing it again.
  std::string text = boost::json::serialize(definition);
  text += '\n';
  text += input_json;
  return sha256_hex(text);
}

std::int64_t cache_not_before(const TaskCacheSettings& cache, std::int64_t now) {
  if (cache.ttl.count() <= 0) return 0;
  return now - cache.ttl.count();
}

}  // namespace ork::host
