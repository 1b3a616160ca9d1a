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

#include <map>
#include <mutex>
#include <string>

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
  TaskDescription describe_in_process(const std::filesystem::path& file, const std::string& function);

  LibraryCache libraries_;
  // check_task of one library function (a 1000-task fan names the same one
  // a thousand times) is answered once per version of the file.
  struct CachedDescription {
    std::int64_t mtime = 0;
    TaskDescription description;
  };
  std::mutex described_mutex_;
  std::map<std::string, CachedDescription> described_;
  InProcessRunner in_process_;
  WorkerPool workers_;
};

}  // namespace ork::plugins::library
