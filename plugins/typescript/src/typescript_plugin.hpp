// The typescript language plugin: one class that is both the `typescript`
// language (signatures of plain exported functions read with the TypeScript
// compiler API, builds transpiled into content-addressed directories) and the
// `node` executor that runs those builds in warm Node.js workers. The
// language half is typescript_language.cpp, the executor half
// node_executor.cpp. See docs/languages/typescript.md for the user's view.
#pragma once

#include <ork/plugin.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "build_cache.hpp"
#include "ork_executor/attempt_registry.hpp"
#include "toolchain.hpp"
#include "worker_pool.hpp"
#include "worker_process.hpp"

namespace ork::plugins::typescript {

inline constexpr const char* kPluginVersion = "1.0.0";

class TypeScriptPlugin final : public ork::plugin::Language, public ork::plugin::Executor {
 public:
  static constexpr const char* extensions[] = {".ts", ".mts", ".cts", nullptr};
  static constexpr const char* task_keys[] = {nullptr};
  static constexpr const char* executors[] = {"node", nullptr};
  static constexpr const char* executor_name = "node";
  static constexpr const char* executor_task_keys[] = {"module",    "function", "parameters", "optional",
                                                       "dates",     "output_int", nullptr};
  static constexpr std::uint32_t capabilities = 0;

  // Language (typescript_language.cpp)
  std::string describe() override;
  void introspect(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) override;
  std::optional<std::string> prepare(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) override;

  // Executor (node_executor.cpp)
  void check(const ork::plugin::TaskSpec& spec, const ork::plugin::CheckSink& sink) override;
  void run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) override;
  void cancel(std::uint64_t attempt_token) override;

 private:
  struct Function {
    CompiledFile file;
    boost::json::object description;  // the compile script's entry for the function
  };
  const Toolchain& toolchain();
  BuildCache& cache();
  std::optional<Function> find_function(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink);
  std::optional<CompiledFile> compile(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink);
  using Registration = executor::AttemptRegistry<WorkerProcess>::Registration;
  void run_in_worker(WorkerLease& lease, Registration& registration, const boost::json::object& config,
                     const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink);

  std::once_flag discovered_;
  Toolchain toolchain_;
  std::optional<BuildCache> cache_;
  WorkerPool pool_;
  executor::AttemptRegistry<WorkerProcess> attempts_;
  std::atomic<std::uint64_t> next_request_id_{1};
};

}  // namespace ork::plugins::typescript
