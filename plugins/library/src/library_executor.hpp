// The `library` executor: runs a task by calling a function exported from a
// shared library through the C ABI of ork/task.h, in the host process by
// default (on the scheduler's worker thread, so one function may be called
// concurrently) or, with `isolate: true`, in a warm helper process. Exported
// as a plugin by plugin.cpp; the tests drive it through that plugin's C ABI.
#pragma once

#include <ork/plugin.hpp>

#include "in_process_runner.hpp"
#include "task_library.hpp"
#include "worker_pool.hpp"

namespace ork::plugins::library {

class LibraryExecutor final : public ork::plugin::Executor {
 public:
  static constexpr const char* task_keys[] = {"file", "function", "isolate", nullptr};
  static constexpr std::uint32_t capabilities = ORK_EXECUTOR_INTROSPECTS;

  LibraryExecutor();

  void check(const ork::plugin::TaskSpec& spec, const ork::plugin::CheckSink& sink) override;
  void run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) override;
  void cancel(std::uint64_t attempt_token) override;

 private:
  LibraryCache libraries_;
  InProcessRunner in_process_;
  WorkerPool workers_;
};

}  // namespace ork::plugins::library
