#include "scheduler/run_state.hpp"

#include "scheduler/slots.hpp"

#include <algorithm>
#include <cstdlib>

namespace ork::host {

bool RunScheduler::State::take_slots(const TaskRuntime& task) {
  if (task.is_mapped()) return true;  // only its instances run attempts, each taking its own slots
  const CompiledTask& spec = *task.spec;
  SlotRegistry& slots = SlotRegistry::instance();
  if (!spec.pool.empty() && !slots.try_acquire("pool:" + spec.pool, pool_size(spec.pool))) return false;
  if (spec.max_concurrency > 0 && !slots.try_acquire("task:" + workflow.name + "/" + spec.name, spec.max_concurrency)) {
    if (!spec.pool.empty()) slots.release("pool:" + spec.pool);
    return false;
  }
  return true;
}

void RunScheduler::State::release_slots(const TaskRuntime& task) {
  if (task.is_mapped()) return;
  const CompiledTask& spec = *task.spec;
  SlotRegistry& slots = SlotRegistry::instance();
  if (!spec.pool.empty()) slots.release("pool:" + spec.pool);
  if (spec.max_concurrency > 0) slots.release("task:" + workflow.name + "/" + spec.name);
}

int RunScheduler::State::pool_size(const std::string& pool) const {
  if (const char* env = std::getenv("ORK_POOLS"); env && *env) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t end = list.find(',', start);
      std::string item = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (auto eq = item.find('='); eq != std::string::npos && item.substr(0, eq) == pool) {
        return std::max(1, std::atoi(item.c_str() + eq + 1));
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  for (const auto& [name, size] : workflow.pools) {
    if (name == pool) return size;
  }
  return 1;
}

}  // namespace ork::host
