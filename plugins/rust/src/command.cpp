#include "command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "ork_executor/spawn.hpp"
#include "ork_executor/unique_fd.hpp"

extern char** environ;

namespace ork::plugins::rust {
namespace {

using executor::UniqueFd;

std::pair<UniqueFd, UniqueFd> make_pipe();
void drain(UniqueFd& out, UniqueFd& err, CommandResult& result);
int wait_for(pid_t pid);

}  // namespace

CommandResult run_command(const Command& command) {
  auto [out_read, out_write] = make_pipe();
  auto [err_read, err_write] = make_pipe();
  executor::SpawnRecipe recipe;
  recipe.program = command.program;
  recipe.argv = command.argv;
  recipe.env = command.env;
  recipe.fds = {{-1, 0}, {out_write.get(), 1}, {err_write.get(), 2}};
  recipe.workdir = command.workdir;
  pid_t pid = 0;
  if (int rc = executor::spawn_process(recipe, pid); rc != 0) {
    throw std::runtime_error("cannot run " + command.program + ": " + std::strerror(rc));
  }
  out_write.reset();
  err_write.reset();
  CommandResult result;
  drain(out_read, err_read, result);
  result.exit_code = wait_for(pid);
  return result;
}

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string_view key = text.substr(0, text.find('='));
    bool replaced = false;
    for (const std::string& override : extra) {
      if (std::string_view(override).substr(0, override.find('=')) == key) replaced = true;
    }
    if (!replaced) env.emplace_back(text);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

namespace {

std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads both pipes until the child closes them (poll: neither pipe may fill
// up while the other is read, or the child would block).
void drain(UniqueFd& out, UniqueFd& err, CommandResult& result) {
  pollfd fds[2] = {{out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}};
  std::string* targets[2] = {&result.out, &result.err};
  int open = 2;
  char buffer[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        targets[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace
}  // namespace ork::plugins::rust
