#include "toolchain.hpp"

#include <ork_executor/spawn.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <ork_executor/unique_fd.hpp>

extern char** environ;

namespace ork::plugins::cpp {
namespace {

std::optional<Tool> find_tool(const std::vector<std::string>& names);
std::string read_file(const std::filesystem::path& path);
std::vector<std::string> current_environment();
int wait_with_timeout(pid_t pid, std::chrono::seconds timeout, bool& timed_out);

}  // namespace

std::string missing_compiler_message() {
  return "C++ tasks are built with g++, which is not installed (not found on PATH): "
         "install it with `apt-get install g++` (Debian package g++, part of build-essential)";
}

std::string missing_clang_message() {
  return "ork reads a C++ task's signature with clang++-14, which is not installed (not found on PATH): "
         "install it with `apt-get install clang-14` (Debian package clang-14)";
}

Toolchain find_toolchain(const std::vector<std::string>& include_dirs) {
  Toolchain toolchain;
  toolchain.compiler = find_tool({"g++"});
  toolchain.clang = find_tool({"clang++-14", "clang++"});
  toolchain.include_dirs = include_dirs;
  return toolchain;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir,
                          std::chrono::seconds timeout) {
  std::filesystem::path out_path = scratch_dir / "stdout.txt";
  std::filesystem::path err_path = scratch_dir / "stderr.txt";
  executor::UniqueFd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  executor::UniqueFd err(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out || !err) throw std::system_error(errno, std::generic_category(), "cannot create " + out_path.string());
  executor::SpawnRecipe recipe;
  recipe.program = argv.at(0);
  recipe.argv = argv;
  recipe.env = current_environment();
  recipe.fds = {{-1, 0}, {out.get(), 1}, {err.get(), 2}};
  pid_t pid = 0;
  if (int error = executor::spawn_process(recipe, pid); error != 0) {
    throw std::system_error(error, std::generic_category(), "cannot start " + argv.at(0));
  }
  out.reset();
  err.reset();
  CommandResult result;
  result.exit_code = wait_with_timeout(pid, timeout, result.timed_out);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

std::optional<std::string> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

namespace {

std::optional<Tool> find_tool(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::optional<std::string> path = find_on_path(name);
    if (!path) continue;
    std::error_code ec;
    std::filesystem::path scratch = std::filesystem::temp_directory_path(ec);
    char pattern[] = "ork-cpp-version-XXXXXX";
    std::string dir_template = (scratch / pattern).string();
    if (::mkdtemp(dir_template.data()) == nullptr) continue;
    std::filesystem::path dir(dir_template);
    CommandResult version = run_command({*path, "--version"}, dir, std::chrono::seconds(30));
    std::filesystem::remove_all(dir, ec);
    if (version.exit_code != 0) continue;
    std::string first_line = version.out.substr(0, version.out.find('\n'));
    std::string last_word = first_line.substr(first_line.find_last_of(' ') + 1);
    return Tool{*path, last_word, first_line};
  }
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    // Colours and localised messages would break the parsing of diagnostics.
    if (entry.rfind("LANG=", 0) == 0 || entry.rfind("LC_", 0) == 0 || entry.rfind("GCC_COLORS=", 0) == 0) continue;
    env.push_back(std::move(entry));
  }
  env.emplace_back("LC_ALL=C");
  return env;
}

int wait_with_timeout(pid_t pid, std::chrono::seconds timeout, bool& timed_out) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      ::kill(-pid, SIGKILL);  // its own process group: the compiler's children too
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace
}  // namespace ork::plugins::cpp
