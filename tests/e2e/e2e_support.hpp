// Helpers for end-to-end tests: run the real `ork` binary with arguments in a
// directory and capture its exit code and output; make throw-away workflow
// directories; read what the run recorded in the SQLite store.
#pragma once

#include <boost/json.hpp>

#include "ork_test/temp_dir.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ork::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using TempDir = ork::test_support::TempDir;  // removed at the end of the test

// Runs `ork ARGS...` in `cwd`, with `--db <cwd>/.ork/ork.db` unless args
// already name a --db. Extra environment entries are "KEY=VALUE".
CommandResult run_ork(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::vector<std::string>& extra_env = {});

// `ork ARGS...` started in the background (same --db rule as run_ork); its
// stdout/stderr go to files. The destructor SIGKILLs it if still running.
class BackgroundOrk {
 public:
  BackgroundOrk(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                const std::vector<std::string>& extra_env = {});
  ~BackgroundOrk();
  BackgroundOrk(const BackgroundOrk&) = delete;
  BackgroundOrk& operator=(const BackgroundOrk&) = delete;

  int pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for it to exit (at most `timeout_ms`); returns its exit code, or -1 on timeout.
  int wait(int timeout_ms);
  std::string out() const;
  std::string err() const;
  // Polls `out()` until it contains `text` (at most `timeout_ms`).
  bool wait_for_output(const std::string& text, int timeout_ms) const;

 private:
  int pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path out_path_, err_path_;
};

// Polls `condition` every 20 ms for at most `timeout_ms`.
bool eventually(const std::function<bool()>& condition, int timeout_ms);

boost::json::value parse_json(const std::string& text);

// Rows of a query on an SQLite file, each row's columns as text.
std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql);

}  // namespace ork::test
