// A fake host for the typescript plugin's tests: loads the built plugin with
// dlopen (as the real host does, RTLD_NOW|RTLD_LOCAL), initialises it once per
// test process, and calls the language table (describe, introspect, prepare)
// and the `node` executor's run_task / cancel_task through the C ABI,
// collecting what the plugin reports.
#pragma once

#include <ork/plugin.h>

#include <boost/json.hpp>

#include "ork_test/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ork::plugins::typescript::test {

struct CheckOutcome {
  ork_status status = ORK_STATUS_OK;
  std::string plugin_error;  // set_error text when status != OK
  std::vector<std::pair<std::string, std::string>> errors;  // (key, message)
  std::optional<boost::json::value> signature;
  std::optional<boost::json::object> config;  // prepare's {"config": ...}["config"]
  std::chrono::microseconds elapsed{0};

  std::string error_text() const;  // every error, for failure messages
};

struct LogLine {
  ork_log_stream stream;
  std::string text;
};

struct RunOutcome {
  ork_status status = ORK_STATUS_OK;
  std::string plugin_error;
  int finish_calls = 0;
  ork_task_outcome outcome = ORK_TASK_FAILED;
  std::string output;  // raw JSON text
  std::string error;
  std::vector<LogLine> logs;
  std::chrono::microseconds elapsed{0};

  bool logged(ork_log_stream stream, const std::string& text) const;
  std::string log_text() const;
};

struct RunOptions {
  std::string input_json = "{}";
  std::int64_t timeout_ms = 0;
  std::vector<std::string> env;
  std::uint64_t token = 0;  // 0: a fresh one
};

inline RunOptions with_input(std::string json) {
  RunOptions options;
  options.input_json = std::move(json);
  return options;
}
inline RunOptions with_timeout(std::int64_t ms) {
  RunOptions options;
  options.timeout_ms = ms;
  return options;
}
inline RunOptions with_env(std::string entry) {
  RunOptions options;
  options.env.push_back(std::move(entry));
  return options;
}
inline RunOptions with_token(std::uint64_t token) {
  RunOptions options;
  options.token = token;
  return options;
}

const ork_plugin_descriptor& descriptor();
void* plugin_state();
std::uint64_t next_token();

std::string describe();
// `file` relative to `workflow_dir`; the build directory is workflow_dir/.ork/build/typescript.
CheckOutcome introspect(const std::filesystem::path& workflow_dir, const std::string& file, const std::string& function);
CheckOutcome prepare(const std::filesystem::path& workflow_dir, const std::string& file, const std::string& function);
RunOutcome run(const std::filesystem::path& workflow_dir, const boost::json::object& config, RunOptions options = {});

// introspect + prepare + run, failing the test when a compile step reports errors.
RunOutcome prepare_and_run(const std::filesystem::path& workflow_dir, const std::string& file,
                           const std::string& function, RunOptions options = {});

using TempDir = ork::test_support::TempDir;

}  // namespace ork::plugins::typescript::test
