#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

// glibc 2.36's <sys/pidfd.h> lacks the extern "C" wrapper (fixed in 2.37).
extern "C" {
#include <sys/pidfd.h>
}

#include "ork_executor/spawn.hpp"

namespace ork::plugins::process {
namespace {

int above_stdio(int fd);

}  // namespace

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  // A host started with closed stdio hands out 0-2 for new fds.
  if (read_end.get() <= STDERR_FILENO) read_end.reset(above_stdio(read_end.release()));
  if (write_end.get() <= STDERR_FILENO) write_end.reset(above_stdio(write_end.release()));
  return Pipe{std::move(read_end), std::move(write_end)};
}

void set_nonblocking(int fd) {
  // Pipes carry no other status flag, so there is nothing to preserve.
  if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "fcntl(O_NONBLOCK)");
  }
}

ChildProcess ChildProcess::spawn(const SpawnSpec& spec) {
  executor::SpawnRecipe recipe;
  recipe.program = spec.program;
  recipe.argv = spec.argv;
  recipe.env = spec.environment;
  recipe.fds = {{spec.stdin_fd, STDIN_FILENO}, {spec.stdout_fd, STDOUT_FILENO}, {spec.stderr_fd, STDERR_FILENO}};
  recipe.close_from = STDERR_FILENO + 1;
  if (!spec.workdir.empty()) recipe.workdir = spec.workdir;
  pid_t pid = -1;
  // spawn_process reports exec and set-up failures (ENOENT,
  // EACCES, a failed chdir) as its return value.
  int rc = executor::spawn_process(recipe, pid);
  if (rc != 0) throw SpawnError(rc);
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(pid_t pid) : pid_(pid), exit_fd_(pidfd_open(pid, 0)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), exit_fd_(std::move(other.exit_fd_)), reaped_(other.reaped_) {
  other.reaped_ = true;
}

ChildProcess::~ChildProcess() {
  if (reaped_) return;
  signal_group(SIGKILL);
  reap();
}

void ChildProcess::signal_group(int signal) const {
  if (!reaped_) killpg(pid_, signal);
}

bool ChildProcess::has_exited() const {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == pid_;
}

int ChildProcess::reap() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  exit_fd_.reset();
  return status;
}

namespace {

int above_stdio(int fd) {
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  int error = errno;
  close(fd);
  if (moved < 0) throw std::system_error(error, std::generic_category(), "fcntl(F_DUPFD_CLOEXEC)");
  return moved;
}

}  // namespace
}  // namespace ork::plugins::process
