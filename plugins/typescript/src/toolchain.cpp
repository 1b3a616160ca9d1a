#include "toolchain.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <ork/task_environment.hpp>

#include "ork_executor/spawn.hpp"
#include "ork_executor/unique_fd.hpp"

namespace ork::plugins::typescript {

namespace {

std::optional<std::filesystem::path> find_node();
std::filesystem::path locate_toolchain_dir();
std::string read_typescript_version(const std::filesystem::path& dir);

}  // namespace

Toolchain discover_toolchain() {
  Toolchain toolchain;
  toolchain.dir = locate_toolchain_dir();
  toolchain.node = find_node();
  if (!toolchain.node) {
    toolchain.problem =
        "the typescript language needs Node.js, and no `node` was found on PATH: install the Debian package nodejs "
        "(apt-get install nodejs), or set ORK_NODE to the node executable";
    return toolchain;
  }
  CommandResult version = run_command({toolchain.node->string(), "--version"}, std::chrono::seconds(30));
  std::string text = version.out.substr(0, version.out.find_first_of("\r\n"));
  if (version.exit_code != 0 || text.empty()) {
    toolchain.problem = toolchain.node->string() + " --version failed (" +
                        (version.start_error.empty() ? version.err.substr(0, 200) : version.start_error) +
                        "): reinstall the Debian package nodejs";
    toolchain.node.reset();
    return toolchain;
  }
  toolchain.node_version = text.starts_with('v') ? text.substr(1) : text;
  toolchain.typescript_version = read_typescript_version(toolchain.dir);
  if (toolchain.typescript_version.empty()) {
    toolchain.problem = "the TypeScript compiler is missing from " + toolchain.dir.string() +
                        " (it is installed with the plugin); reinstall ork, or set ORK_TYPESCRIPT_DIR";
  }
  return toolchain;
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  int out_fds[2];
  int err_fds[2];
  if (::pipe2(out_fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  executor::UniqueFd out_read(out_fds[0]), out_write(out_fds[1]);
  if (::pipe2(err_fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  executor::UniqueFd err_read(err_fds[0]), err_write(err_fds[1]);

  executor::SpawnRecipe recipe;
  recipe.argv = argv;
  recipe.program = argv.at(0);
  recipe.fds = {{-1, 0}, {out_write.get(), 1}, {err_write.get(), 2}};
  recipe.env = ork::plugin::inherited_environment();
  pid_t pid = 0;
  if (int rc = executor::spawn_process(recipe, pid); rc != 0) {
    result.start_error = std::generic_category().message(rc);
    return result;
  }
  out_write.reset();
  err_write.reset();

  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[64 * 1024];
  while (out_read || err_read) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::killpg(pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{out_read ? out_read.get() : -1, POLLIN, 0}, {err_read ? err_read.get() : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    executor::UniqueFd* readers[2] = {&out_read, &err_read};
    std::string* sinks[2] = {&result.out, &result.err};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(readers[i]->get(), buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        readers[i]->reset();
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

namespace {

std::optional<std::filesystem::path> find_node() {
  if (const char* overridden = std::getenv("ORK_NODE"); overridden && *overridden) {
    std::filesystem::path path(overridden);
    if (::access(path.c_str(), X_OK) == 0) return path;
    return std::nullopt;
  }
  const char* search = std::getenv("PATH");
  std::string path_list = search ? search : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream entries(path_list);
  std::string directory;
  while (std::getline(entries, directory, ':')) {
    if (directory.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(directory) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// lib/ork/typescript beside lib/ork/plugins, in the build tree and installed alike.
std::filesystem::path locate_toolchain_dir() {
  if (const char* overridden = std::getenv("ORK_TYPESCRIPT_DIR"); overridden && *overridden) return overridden;
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void*>(&locate_toolchain_dir), &info) == 0 || !info.dli_fname) return {};
  std::filesystem::path plugin_file = std::filesystem::absolute(info.dli_fname);
  return (plugin_file.parent_path().parent_path() / "typescript").lexically_normal();
}

std::string read_typescript_version(const std::filesystem::path& dir) {
  std::ifstream in(dir / "node_modules" / "typescript" / "package.json");
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code error;
  boost::json::value manifest = boost::json::parse(text.str(), error);
  if (error || !manifest.is_object()) return {};
  const auto* version = manifest.as_object().if_contains("version");
  return version && version->is_string() ? std::string(version->as_string()) : std::string();
}

}  // namespace

}  // namespace ork::plugins::typescript
