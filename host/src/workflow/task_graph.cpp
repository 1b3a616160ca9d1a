#include "workflow/task_graph.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "workflow/suggest.hpp"

namespace ork::host {

namespace {

using TaskIndex = std::map<std::string, std::size_t, std::less<>>;

void resolve_upstreams(std::vector<TaskDraft>& drafts, const TaskIndex& index, std::vector<Diagnostic>& errors);
bool report_cycles(const std::vector<TaskDraft>& drafts, const TaskIndex& index, std::vector<Diagnostic>& errors);
std::vector<std::size_t> topological_order(const std::vector<TaskDraft>& drafts, const TaskIndex& index);

}  // namespace

std::optional<std::vector<std::size_t>> order_tasks(std::vector<TaskDraft>& drafts, std::vector<Diagnostic>& errors) {
  TaskIndex index;
  for (std::size_t i = 0; i < drafts.size(); ++i) index.emplace(drafts[i].task.name, i);
  resolve_upstreams(drafts, index, errors);
  if (report_cycles(drafts, index, errors)) return std::nullopt;
  return topological_order(drafts, index);
}

// Follows each cycle of the permutation once: the first task of a cycle
// waits in `held` while the others move up into the places they leave.
void put_in_order(std::vector<CompiledTask>& tasks, const std::vector<std::size_t>& order) {
  if (order.size() != tasks.size()) throw std::logic_error("put_in_order: the order does not cover every task");
  std::vector<bool> placed(tasks.size(), false);
  for (std::size_t start = 0; start < tasks.size(); ++start) {
    if (placed[start]) continue;
    CompiledTask held = std::move(tasks[start]);
    std::size_t at = start;
    for (std::size_t from = order[at]; from != start; at = from, from = order[at]) {
      tasks[at] = std::move(tasks[from]);
      placed[at] = true;
    }
    tasks[at] = std::move(held);
    placed[at] = true;
  }
}

namespace {

std::string unknown_task(const std::string& name, const TaskIndex& index) {
  std::vector<std::string> names;
  for (const auto& [task, position] : index) names.push_back(task);
  return "\"" + name + "\"" + did_you_mean(name, names) + "; tasks: " + join_names(names);
}

void resolve_upstreams(std::vector<TaskDraft>& drafts, const TaskIndex& index, std::vector<Diagnostic>& errors) {
  for (TaskDraft& draft : drafts) {
    CompiledTask& task = draft.task;
    std::set<std::string> upstream;
    for (const auto& [name, where] : draft.explicit_depends) {
      if (name == task.name) {
        errors.push_back({where, "task \"" + task.name + "\" depends on itself"});
      } else if (!index.count(name)) {
        errors.push_back({where, "task \"" + task.name + "\": depends_on names an unknown task " + unknown_task(name, index)});
      } else {
        upstream.insert(name);
      }
    }
    std::vector<std::pair<const InputBinding*, const char*>> references;  // `inputs:` and `map:` alike
    for (const InputBinding& binding : task.inputs) references.emplace_back(&binding, "input");
    for (const InputBinding& binding : task.map) references.emplace_back(&binding, "map");
    for (const auto& [reference, key] : references) {
      const InputBinding& binding = *reference;
      if (binding.kind != InputBinding::Kind::task_output) continue;
      std::string context = "task \"" + task.name + "\" " + key + " \"" + binding.name + "\": ";
      if (binding.task == task.name) {
        errors.push_back({binding.where, context + "refers to the output of its own task"});
      } else if (!index.count(binding.task)) {
        errors.push_back({binding.where, context + "{from: ...} names an unknown task " + unknown_task(binding.task, index)});
      } else {
        upstream.insert(binding.task);
      }
    }
    if (task.when) {  // a task a condition reads is upstream (unknown names: check_conditions reports them)
      for (const ConditionPath& path : task.when->paths()) {
        if (path.root != "inputs" && path.root != task.name && index.count(path.root)) upstream.insert(path.root);
      }
    }
    task.depends_on.assign(upstream.begin(), upstream.end());
  }
}

// Depth-first search along data flow (upstream -> downstream), in file order.
// Each cycle is reported once, starting at its earliest task in the file.
class CycleFinder {
 public:
  CycleFinder(const std::vector<TaskDraft>& drafts, const TaskIndex& index) : drafts_(drafts), downstream_(drafts.size()) {
    for (std::size_t i = 0; i < drafts.size(); ++i) {
      for (const std::string& upstream : drafts[i].task.depends_on) downstream_[index.at(upstream)].push_back(i);
    }
    for (std::vector<std::size_t>& next : downstream_) std::sort(next.begin(), next.end());
  }

  std::vector<std::vector<std::size_t>> find() {
    color_.assign(drafts_.size(), Color::white);
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      if (color_[i] == Color::white) visit(i);
    }
    return cycles_;
  }

 private:
  enum class Color { white, grey, black };

  void visit(std::size_t node) {
    color_[node] = Color::grey;
    stack_.push_back(node);
    for (std::size_t next : downstream_[node]) {
      if (color_[next] == Color::grey) {
        record(next);
      } else if (color_[next] == Color::white) {
        visit(next);
      }
    }
    stack_.pop_back();
    color_[node] = Color::black;
  }

  void record(std::size_t start) {
    std::vector<std::size_t> cycle(std::find(stack_.begin(), stack_.end(), start), stack_.end());
    bool overlaps = std::any_of(cycle.begin(), cycle.end(), [this](std::size_t n) { return in_reported_.count(n) > 0; });
    if (overlaps) return;
    in_reported_.insert(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    cycles_.push_back(std::move(cycle));
  }

  const std::vector<TaskDraft>& drafts_;
  std::vector<std::vector<std::size_t>> downstream_;
  std::vector<Color> color_;
  std::vector<std::size_t> stack_;
  std::set<std::size_t> in_reported_;
  std::vector<std::vector<std::size_t>> cycles_;
};

bool report_cycles(const std::vector<TaskDraft>& drafts, const TaskIndex& index, std::vector<Diagnostic>& errors) {
  std::vector<std::vector<std::size_t>> cycles = CycleFinder(drafts, index).find();
  for (const std::vector<std::size_t>& cycle : cycles) {
    std::string path;
    for (std::size_t node : cycle) path += drafts[node].task.name + " -> ";
    path += drafts[cycle.front()].task.name;
    errors.push_back({drafts[cycle.front()].task.where,
                      "cycle: " + path + " (each task waits for the one before it; remove one dependency or reference)"});
  }
  return !cycles.empty();
}

// Kahn's algorithm, always taking the earliest ready task in file order.
std::vector<std::size_t> topological_order(const std::vector<TaskDraft>& drafts, const TaskIndex& index) {
  std::vector<std::size_t> waiting(drafts.size());
  std::vector<std::vector<std::size_t>> downstream(drafts.size());
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    waiting[i] = drafts[i].task.depends_on.size();
    for (const std::string& upstream : drafts[i].task.depends_on) downstream[index.at(upstream)].push_back(i);
  }
  std::set<std::size_t> ready;
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    if (waiting[i] == 0) ready.insert(i);
  }
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    std::size_t next = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(next);
    for (std::size_t after : downstream[next]) {
      if (--waiting[after] == 0) ready.insert(after);
    }
  }
  return order;
}

}  // namespace

}  // namespace ork::host
