// Helpers for end-to-end tests: run the real `ork` binary with arguments in a
// directory and capture its exit code and output; make throw-away workflow
// directories; read what the run recorded in the SQLite store.
#pragma once

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ork::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to `relative` (creating parent dirs); returns the path.
  std::filesystem::path write(const std::string& relative, const std::string& content, bool executable = false) const;

 private:
  std::filesystem::path path_;
};

// Runs `ork ARGS...` in `cwd`, with `--db <cwd>/.ork/ork.db` unless args
// already name a --db. Extra environment entries are "KEY=VALUE".
CommandResult run_ork(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::vector<std::string>& extra_env = {});

boost::json::value parse_json(const std::string& text);

// Rows of a query on an SQLite file, each row's columns as text.
std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql);

}  // namespace ork::test
