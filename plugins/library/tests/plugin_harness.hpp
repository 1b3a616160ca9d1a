// Drives the built library plugin (ork_executor_library.so) through its real
// C ABI, as the host does: dlopen, describe, init with a fake host, and
// check/run/cancel with recording sinks. Included by the plugin tests.
#pragma once

#include <ork/plugin.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::library::testing {

struct CheckResult {
  std::vector<std::pair<std::string, std::string>> errors;  // key, message
  std::optional<std::string> signature;
  std::optional<std::vector<std::string>> code_files;  // ork_check_sink.code_files, when called
};

struct RunResult {
  ork_status status = ORK_STATUS_OK;
  int finish_calls = 0;
  ork_task_outcome outcome = ORK_TASK_FAILED;
  std::string output;
  std::string error;
  std::vector<std::pair<ork_log_stream, std::string>> logs;
};

struct RunOptions {
  std::string input = R"({"upstream": {}})";
  std::chrono::milliseconds timeout{0};
  std::uint64_t token = 0;  // 0: a fresh one
};

// The directory holding the test task libraries (the "workflow directory").
std::string task_libs_dir();

class LibraryPlugin {
 public:
  // The plugin's one instance, loaded once per test process (as the host does).
  static LibraryPlugin& get();

  CheckResult check(const std::string& config_json) const;
  RunResult run(const std::string& config_json, const RunOptions& options = {}) const;
  void cancel(std::uint64_t token) const;
  std::uint64_t next_token() const;
  const ork_executor_vtable& vtable() const { return *descriptor_->executor; }

 private:
  LibraryPlugin();
  const ork_plugin_descriptor* descriptor_ = nullptr;
  void* state_ = nullptr;
};

}  // namespace ork::plugins::library::testing
