// `cache:` in the run scheduler: the one place where an attempt starts
// (RunScheduler::State::run_attempt) asks here first whether an earlier
// successful attempt with the same cache key (cache_key.hpp) may stand in
// for it, and every recorded success of a cached task is stored here as the
// entry of its key. Each attempt computes its own key from its own input,
// so tasks that run several times in one run are each cached by their input.
#include "scheduler/run_state.hpp"

#include "core/output_depth.hpp"
#include "scheduler/cache_key.hpp"

#include <ork/limits.h>

#include <iostream>

namespace ork::host {

namespace {

boost::json::value parse_cached_output(const std::string& text, bool& ok);

}  // namespace

std::optional<RunScheduler::State::Ended> RunScheduler::State::reuse_cached_output(std::size_t i,
                                                                                  const std::string& input_json) {
  TaskRuntime& task = tasks[i];
  const CompiledTask& spec = *task.spec;
  task.cache_key.clear();
  if (!spec.cache) return std::nullopt;
  task.cache_key = task_cache_key(workflow, spec, input_json);
  if (options.no_cache || cancel_requested()) return std::nullopt;
  const Millis now = now_millis();
  std::optional<CacheEntry> hit = store.cache_lookup(task.cache_key, cache_not_before(*spec.cache, now));
  if (!hit) return std::nullopt;
  bool ok = false;
  boost::json::value output = parse_cached_output(hit->output_json, ok);
  if (!ok) return std::nullopt;  // an entry this host cannot read: run the task instead
  task.attempt -= 1;             // no attempt ran
  Ended e;
  e.task = i;
  e.attempt = 0;
  e.status = "cached";
  e.output = std::move(output);
  e.error = "reused the output of run " + hit->run_id + " (cached " + iso8601(hit->created_at) + ")";
  // Where the output came from, as the `error` of the `cached` transition
  // (plugin.h): the API shows it as the task's `cached_from`.
  boost::json::object from{{"run_id", hit->run_id},
                           {"task", hit->task},
                           {"attempt", hit->attempt},
                           {"created_at", hit->created_at}};
  // An instance's row is its own ("count[3]"), not its mapped task's.
  e.transition = TaskTransition{options.run_id, task.name(), 0, "cached", now, hit->output_json,
                                boost::json::serialize(from), 0};
  return e;
}

void RunScheduler::State::remember_output(const Ended& e) {
  const TaskRuntime& task = tasks[e.task];
  if (e.status != "succeeded" || task.cache_key.empty()) return;
  try {
    store.cache_put(CacheEntry{task.cache_key, workflow.name, options.run_id, task.name(),
                               static_cast<std::uint32_t>(e.attempt), e.transition.output_json, e.transition.at});
  } catch (const std::exception& error) {
    // The task succeeded and is recorded; a cache that could not keep its
    // output only means the next run runs it again.
    std::cerr << "ork: warning: could not cache the output of task '" << task.name() << "': " << error.what()
              << "\n";
  }
}

namespace {

boost::json::value parse_cached_output(const std::string& text, bool& ok) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = ORK_MAX_JSON_DEPTH;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  ok = !ec;
  return value;
}

}  // namespace

}  // namespace ork::host
