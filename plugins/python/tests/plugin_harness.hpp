// A fake host for the python executor's tests: loads the built plugin with
// dlopen (as the real host does, RTLD_NOW|RTLD_LOCAL), initialises it once per
// test process and calls check_task / run_task / cancel_task through the C
// ABI (the compile-time check through the language table's introspect), collecting
// what the plugin reports. Included by every test file here.
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

namespace ork::plugins::python::test {

struct CheckOutcome {
  ork_status status = ORK_STATUS_OK;
  std::string executor_error;  // set_error text when status != OK
  std::vector<std::pair<std::string, std::string>> errors;  // (key, message)
  std::optional<boost::json::value> signature;
  int signature_calls = 0;
};

struct LogLine {
  ork_log_stream stream;
  std::string text;
};

struct RunOutcome {
  ork_status status = ORK_STATUS_OK;
  std::string executor_error;
  int finish_calls = 0;
  ork_task_outcome outcome = ORK_TASK_FAILED;
  std::string output;  // raw JSON text
  std::string error;
  std::vector<LogLine> logs;
  std::chrono::milliseconds elapsed{0};

  bool logged(ork_log_stream stream, const std::string& text) const;
  std::string log_text() const;  // every line, for failure messages
};

struct RunOptions {
  std::string input_json = "{}";
  std::int64_t timeout_ms = 0;
  std::vector<std::string> env;
  std::string workdir;  // empty: the workflow dir
  std::uint64_t token = 0;  // 0: a fresh one
};

// The python plugin, loaded once per process.
const ork_executor_vtable& executor();
void* executor_state();
std::uint64_t next_token();

CheckOutcome check(const std::filesystem::path& workflow_dir, const boost::json::object& config);
RunOutcome run(const std::filesystem::path& workflow_dir, const boost::json::object& config, RunOptions options = {});

// The fixtures directory (plugins/python/tests/fixtures).
std::filesystem::path fixtures();

using TempDir = ork::test_support::TempDir;

}  // namespace ork::plugins::python::test
