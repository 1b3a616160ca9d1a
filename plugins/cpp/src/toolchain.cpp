#include "toolchain.hpp"

#include <ork_executor/build_files.hpp>
#include <ork_executor/spawn.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdint>
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

std::optional<Tool> locate_tool(const std::vector<std::string>& names);
bool ask_version(Tool& tool);
boost::json::object read_cache(const std::optional<std::filesystem::path>& cache);
void write_cache(const std::filesystem::path& cache, const Toolchain& toolchain);
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

Toolchain find_toolchain(const std::vector<std::string>& include_dirs,
                         const std::optional<std::filesystem::path>& cache) {
  Toolchain toolchain;
  toolchain.compiler = locate_tool({"g++"});
  toolchain.clang = locate_tool({"clang++-14", "clang++"});
  toolchain.include_dirs = include_dirs;
  const boost::json::object known = read_cache(cache);
  bool asked = false;
  for (std::optional<Tool>* tool : {&toolchain.compiler, &toolchain.clang}) {
    if (!*tool) continue;
    const boost::json::value* line = known.if_contains((*tool)->identity);
    if (line != nullptr && line->is_string() && !line->get_string().empty()) {
      (*tool)->version_line = std::string(line->get_string());
      (*tool)->version = (*tool)->version_line.substr((*tool)->version_line.find_last_of(' ') + 1);
    } else if (ask_version(**tool)) {
      asked = true;
    } else {
      tool->reset();  // it does not even answer --version: as good as missing
    }
  }
  if (asked && cache) write_cache(*cache, toolchain);
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

std::optional<Tool> locate_tool(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::optional<std::string> path = find_on_path(name);
    if (!path) continue;
    std::error_code ec;
    std::filesystem::path real = std::filesystem::canonical(*path, ec);
    struct stat info {};
    if (ec || ::stat(real.c_str(), &info) != 0) continue;
    std::string identity = real.string() + " " + std::to_string(info.st_size) + " " +
                           std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
    return Tool{*path, identity, "", ""};
  }
  return std::nullopt;
}

bool ask_version(Tool& tool) {
  std::error_code ec;
  std::string dir_template = (std::filesystem::temp_directory_path(ec) / "ork-cpp-version-XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) return false;
  std::filesystem::path dir(dir_template);
  CommandResult version = run_command({tool.path, "--version"}, dir, std::chrono::seconds(30));
  std::filesystem::remove_all(dir, ec);
  if (version.exit_code != 0) return false;
  tool.version_line = version.out.substr(0, version.out.find('\n'));
  tool.version = tool.version_line.substr(tool.version_line.find_last_of(' ') + 1);
  return true;
}

// {identity: version line} of the tools last asked.
boost::json::object read_cache(const std::optional<std::filesystem::path>& cache) {
  if (!cache) return {};
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(read_file(*cache), error);
  if (error || !parsed.is_object()) return {};
  return std::move(parsed.get_object());
}

// Written beside and renamed over, so a concurrent reader sees the old file or the new one.
void write_cache(const std::filesystem::path& cache, const Toolchain& toolchain) {
  boost::json::object known;
  for (const std::optional<Tool>* tool : {&toolchain.compiler, &toolchain.clang}) {
    if (*tool) known[(*tool)->identity] = (*tool)->version_line;
  }
  // Only a cache: when it cannot be written, the next process asks again.
  executor::write_file_atomically(cache, boost::json::serialize(known));
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
