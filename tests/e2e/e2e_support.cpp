#include "e2e_support.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace ork::test {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

namespace {

// Starts `ork ARGS` in `cwd` with stdout/stderr redirected to the two files.
pid_t spawn_ork(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                const std::vector<std::string>& extra_env, const std::filesystem::path& out_path,
                const std::filesystem::path& err_path) {
  std::vector<std::string> argv_s{ORK_BINARY};
  bool has_db = false;
  for (const auto& a : args) has_db = has_db || a == "--db" || a.starts_with("--db=");
  if (!has_db) {
    argv_s.push_back("--db");
    argv_s.push_back((cwd / ".ork" / "ork.db").string());
  }
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0]);
  return pid;
}

std::filesystem::path output_path(const std::string& suffix) {
  static std::atomic<int> counter{0};
  return std::filesystem::temp_directory_path() /
         ("ork-e2e-out-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + suffix);
}

}  // namespace

CommandResult run_ork(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::vector<std::string>& extra_env) {
  auto out_path = output_path(".out");
  auto err_path = output_path(".err");
  pid_t pid = spawn_ork(args, cwd, extra_env, out_path, err_path);
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

BackgroundOrk::BackgroundOrk(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                             const std::vector<std::string>& extra_env)
    : out_path_(output_path(".out")), err_path_(output_path(".err")) {
  pid_ = spawn_ork(args, cwd, extra_env, out_path_, err_path_);
}

BackgroundOrk::~BackgroundOrk() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove(out_path_, ec);
  std::filesystem::remove(err_path_, ec);
}

void BackgroundOrk::signal(int sig) const { kill(pid_, sig); }

int BackgroundOrk::wait(int timeout_ms) {
  if (reaped_) return -1;
  int status = 0;
  bool done = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout_ms);
  if (!done) return -1;
  reaped_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string BackgroundOrk::out() const { return slurp(out_path_); }
std::string BackgroundOrk::err() const { return slurp(err_path_); }

bool BackgroundOrk::wait_for_output(const std::string& text, int timeout_ms) const {
  return eventually([&] { return out().find(text) != std::string::npos; }, timeout_ms);
}

bool eventually(const std::function<bool()>& condition, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

boost::json::value parse_json(const std::string& text) {
  boost::json::parse_options opts;
  opts.max_depth = 10000;
  return boost::json::parse(text, {}, opts);
}

std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    throw std::runtime_error("cannot open " + db.string());
  }
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(handle);
    sqlite3_close(handle);
    throw std::runtime_error("bad query: " + msg);
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return rows;
}

}  // namespace ork::test
