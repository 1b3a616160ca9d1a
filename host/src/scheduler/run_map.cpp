// `map:` at run time (docs/workflows.md, "map"). A mapped task runs no
// attempt itself: when it becomes ready it reads its lists, and one instance
// per element ("count[0]", "count[1]", ...) is appended to the run's tasks
// and queued like any task, so each has its own attempts, retries, logs,
// slots (`max_concurrency` counts the instances) and store row. When the
// last instance is final the mapped task settles: succeeded with the list of
// their outputs in element order, else failed (or cancelled), and its
// downstream tasks are released as for any task.
#include "scheduler/run_state.hpp"

#include <algorithm>

namespace ork::host {

namespace {

std::string element_count(std::size_t n) { return std::to_string(n) + (n == 1 ? " element" : " elements"); }

}  // namespace

void name_instance(ExecutorRunRequest& request, const std::string& name, std::size_t index) {
  request.task_name = name;
  for (std::string& entry : request.env) {
    if (entry.rfind("ORK_TASK=", 0) == 0) entry = "ORK_TASK=" + name;
  }
  request.env.push_back("ORK_MAP_INDEX=" + std::to_string(index));
}

void RunScheduler::State::expand_map(std::size_t i, std::unique_lock<std::mutex>& lock, std::optional<Ended>& ended) {
  TaskRuntime& parent = tasks[i];
  parent.phase = Phase::running;
  std::string error;
  const std::size_t count = read_mapped_lists(parent, error);
  std::vector<TaskTransition> transitions{
      TaskTransition{options.run_id, parent.name(), 0, "running", now_millis(), "", "", 0}};
  std::vector<std::size_t> queued;
  if (error.empty()) {
    parent.first_instance = tasks.size();
    parent.instance_count = count;
    parent.instances_unfinished = count;
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t at = tasks.size();
      TaskRuntime& instance = tasks.emplace_back();
      instance.spec = parent.spec;
      instance.executor = parent.executor;
      instance.config_json = parent.config_json;
      instance.instance_name = parent.spec->name + "[" + std::to_string(k) + "]";
      instance.parent = i;
      instance.map_index = k;
      ++unfinished;
      if (restore_task(at, transitions) && is_final(instance.phase)) {  // resuming: it kept its end
        --unfinished;
        --parent.instances_unfinished;
        continue;
      }
      if (!recorded.count(instance.name())) {
        transitions.push_back(TaskTransition{options.run_id, instance.name(), 0, "pending", now_millis(), "", "", 0});
      }
      queued.push_back(at);
    }
  }
  lock.unlock();
  if (ended) {
    commit_ended(*ended, std::nullopt);
    ended.reset();
  }
  record(transitions);  // the rows exist before any instance starts
  std::vector<TaskTransition> ends;
  std::vector<Skip> skipped;
  lock.lock();
  if (!error.empty()) {
    parent.phase = Phase::failed;
    parent.error = error;
    --unfinished;
    ends.push_back(TaskTransition{options.run_id, parent.name(), 0, "failed", now_millis(), "", error, 0});
    settle_downstream(i, skipped);
  } else {
    for (std::size_t at : queued) {
      if (tasks[at].phase != Phase::waiting) continue;  // cancelled meanwhile
      tasks[at].phase = Phase::ready;
      ready.push_back(at);
    }
    if (parent.instances_unfinished == 0 && parent.phase == Phase::running) settle_mapped(i, ends, skipped);
  }
  lock.unlock();
  if (!ends.empty()) record(ends);
  record_skips(skipped);
  wake.notify_all();
  lock.lock();
}

std::size_t RunScheduler::State::read_mapped_lists(TaskRuntime& parent, std::string& error) {
  const std::vector<InputBinding>& bindings = parent.spec->map;
  parent.mapped_lists.clear();
  for (const InputBinding& binding : bindings) {
    const boost::json::value* value = nullptr;
    std::string missing;
    switch (binding.kind) {
      case InputBinding::Kind::constant:
        value = &binding.constant;
        break;
      case InputBinding::Kind::workflow_input:
        value = options.workflow_inputs.if_contains(binding.workflow_input);
        break;
      case InputBinding::Kind::task_output: {
        const TaskRuntime& upstream = tasks[index.at(binding.task)];
        if (upstream.phase == Phase::succeeded) value = value_at_path(upstream.output, binding.path, missing);
        break;
      }
    }
    const std::string source = binding_source_text(binding);
    if (value == nullptr || !value->is_array()) {
      error = "map: parameter '" + binding.name + "' is mapped over " + source + ", which is " +
              (value == nullptr ? (missing.empty() ? std::string("missing") : "missing (no '" + missing + "')")
                                : "not a list: " + boost::json::serialize(*value).substr(0, 80));
      return 0;
    }
    parent.mapped_lists.push_back(value->get_array());
  }
  const std::size_t count = parent.mapped_lists.front().size();
  if (count > kMaxMapInstances) {
    error = "map: '" + bindings.front().name + "' is mapped over " + binding_source_text(bindings.front()) +
            ", which has " + element_count(count) + "; a mapped task runs at most " +
            std::to_string(kMaxMapInstances) +
            " instances (docs/reliability.md, Limits): map over batches of elements instead";
    return 0;
  }
  for (std::size_t k = 1; k < bindings.size(); ++k) {
    if (parent.mapped_lists[k].size() == count) continue;
    error = "map: the zipped lists differ in length: '" + bindings.front().name + "' (" +
            binding_source_text(bindings.front()) + ") has " + element_count(count) + ", '" + bindings[k].name +
            "' (" + binding_source_text(bindings[k]) + ") has " + element_count(parent.mapped_lists[k].size()) +
            "; parameters mapped together need lists of the same length";
    return 0;
  }
  return count;
}

void RunScheduler::State::add_mapped_inputs(const TaskRuntime& instance, boost::json::object& input) const {
  const TaskRuntime& parent = tasks[instance.parent];
  for (std::size_t k = 0; k < parent.spec->map.size(); ++k) {
    input[parent.spec->map[k].name] = parent.mapped_lists[k][instance.map_index];
  }
}

void RunScheduler::State::instance_settled(std::size_t i, std::vector<TaskTransition>& ends,
                                           std::vector<Skip>& skipped) {
  TaskRuntime& parent = tasks[tasks[i].parent];
  if (parent.instances_unfinished > 0) --parent.instances_unfinished;
  if (parent.instances_unfinished == 0 && parent.phase == Phase::running) settle_mapped(tasks[i].parent, ends, skipped);
}

void RunScheduler::State::settle_mapped(std::size_t i, std::vector<TaskTransition>& ends, std::vector<Skip>& skipped) {
  TaskRuntime& parent = tasks[i];
  std::size_t failed = 0, cancelled = 0;
  const TaskRuntime* first_failed = nullptr;
  const TaskRuntime* first_cancelled = nullptr;
  for (std::size_t k = 0; k < parent.instance_count; ++k) {
    const TaskRuntime& instance = tasks[parent.first_instance + k];
    if (instance.phase == Phase::failed) {
      if (failed++ == 0) first_failed = &instance;
    } else if (instance.phase != Phase::succeeded) {
      if (cancelled++ == 0) first_cancelled = &instance;
    }
  }
  const Millis now = now_millis();
  const std::string of = " of " + std::to_string(parent.instance_count) + " instances ";
  if (first_failed != nullptr) {
    parent.phase = Phase::failed;
    parent.error = std::to_string(failed) + of + "failed; the first, " + first_failed->name() +
                   ": " + first_failed->error;
    ends.push_back(TaskTransition{options.run_id, parent.name(), 0, "failed", now, "", parent.error, 0});
  } else if (first_cancelled != nullptr) {
    parent.phase = Phase::cancelled;
    parent.error = std::to_string(cancelled) + of + "did not finish; the first, " + first_cancelled->name() + ": " +
                   (first_cancelled->error.empty() ? std::string("cancelled") : first_cancelled->error);
    ends.push_back(TaskTransition{options.run_id, parent.name(), 0, "cancelled", now, "", parent.error, 0});
  } else {
    boost::json::array outputs;
    outputs.reserve(parent.instance_count);
    // Moved: nothing reads an instance's output but its mapped task.
    for (std::size_t k = 0; k < parent.instance_count; ++k) {
      outputs.push_back(std::move(tasks[parent.first_instance + k].output));
    }
    parent.phase = Phase::succeeded;
    parent.output = std::move(outputs);
    ends.push_back(
        TaskTransition{options.run_id, parent.name(), 0, "succeeded", now, boost::json::serialize(parent.output), "", 0});
  }
  parent.mapped_lists.clear();  // the instances have their inputs: keep memory for the outputs
  --unfinished;
  settle_downstream(i, skipped);
}

}  // namespace ork::host
