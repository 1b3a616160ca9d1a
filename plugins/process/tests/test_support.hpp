// Shared fixtures for the process executor's tests: a temporary directory,
// sinks that record what the executor reports (usable through the C ABI and
// the C++ wrapper alike), and a one-call way to run a task.
#pragma once

#include "process_executor.hpp"

#include <ork/plugin.h>

#include "ork_test/temp_dir.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugins::process::testing {

using TempDir = ork::test_support::TempDir;

struct LogEntry {
  ork_log_stream stream;
  std::string line;
};

struct Finish {
  ork_task_outcome outcome;
  std::string output;
  std::string error;
};

// Records log lines and the outcome; thread-safe, so a test can wait for a
// line from another thread.
class RecordingTaskSink {
 public:
  RecordingTaskSink();
  const ork_task_sink& c_sink() const { return sink_; }

  std::vector<LogEntry> logs() const;
  std::vector<std::string> lines(ork_log_stream stream) const;
  std::vector<Finish> finishes() const;
  // The only outcome; fails the test when there is not exactly one.
  Finish finish() const;
  // Waits until a log line equals `line`; false after `limit`.
  bool wait_for_line(std::string_view line, std::chrono::milliseconds limit) const;

 private:
  static void on_log(void* ctx, ork_log_stream stream, ork_str line);
  static void on_finish(void* ctx, ork_task_outcome outcome, ork_str output, ork_str error);

  ork_task_sink sink_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<LogEntry> logs_;
  std::vector<Finish> finishes_;
};

struct CheckError {
  std::string key;
  std::string message;
};

class RecordingCheckSink {
 public:
  RecordingCheckSink();
  const ork_check_sink& c_sink() const { return sink_; }
  const std::vector<CheckError>& errors() const { return errors_; }
  int signature_calls() const { return signature_calls_; }
  // What ork_check_sink.code_files reported (nullopt: not called).
  const std::optional<std::vector<std::string>>& code_files() const { return code_files_; }
  const std::string& code_why_not() const { return code_why_not_; }

 private:
  static void on_error(void* ctx, ork_str key, ork_str message);
  static void on_signature(void* ctx, ork_str json);
  static void on_code_files(void* ctx, const ork_str* paths, size_t count, ork_str why_not);

  ork_check_sink sink_;
  std::vector<CheckError> errors_;
  int signature_calls_ = 0;
  std::optional<std::vector<std::string>> code_files_;
  std::string code_why_not_;
};

// The task config {"command": [...]} / {"command": "..."} as JSON text.
std::string argv_config(const std::vector<std::string>& argv);
std::string shell_config(const std::string& command);

// One task to run, with the defaults most tests want.
struct TaskSetup {
  std::string config_json;
  std::string input_json = "{}";
  std::string workdir{};  // empty: a fresh temporary directory
  std::vector<std::string> env{};
  std::chrono::milliseconds timeout{0};
  std::uint64_t token = 1;
};

// Runs `setup` with `executor` to its end.
void run_task(ProcessExecutor& executor, const TaskSetup& setup, RecordingTaskSink& sink);
// Same, with an executor using short kill grace and orphan wait.
void run_task(const TaskSetup& setup, RecordingTaskSink& sink);
ProcessExecutor::Options fast_options();

}  // namespace ork::plugins::process::testing
