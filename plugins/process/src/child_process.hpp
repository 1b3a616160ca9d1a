// POSIX plumbing for running one task program: owned file descriptors, pipes,
// and a child started with vfork + execve (executor-common's spawn.cpp) in
// its own process group. Not fork (unsafe in a multithreaded host) and not Poco::Process (it forks, closes
// every possible fd one by one, ~30 ms per spawn, and passes the host's
// blocked signals on to the child). Used by the process executor's run path
// and its tests.
#pragma once

#include <sys/types.h>

#include <string>
#include <system_error>
#include <vector>

#include "ork_executor/unique_fd.hpp"

namespace ork::plugins::process {

using UniqueFd = executor::UniqueFd;

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

// A close-on-exec pipe whose ends are never 0, 1 or 2 (so dup2 onto stdio in
// the child cannot clobber another end). Throws std::system_error.
Pipe make_pipe();

// Makes `fd` non-blocking. Throws std::system_error.
void set_nonblocking(int fd);

struct SpawnSpec {
  std::string program;  // what to exec: absolute, or relative to `workdir`
  std::vector<std::string> argv;
  std::vector<std::string> environment;  // "KEY=VALUE", the child's whole environment
  std::string workdir;                   // empty: the host's current directory
  int stdin_fd = -1;                     // the child's ends of its stdio pipes
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// The program could not be started; `code()` holds the errno.
class SpawnError : public std::system_error {
 public:
  explicit SpawnError(int error) : std::system_error(error, std::generic_category(), "posix_spawn") {}
};

// A running child, leader of its own process group. Until it is reaped, the
// destructor kills the whole group and reaps the child, so leaving a scope by
// exception never leaks a process.
class ChildProcess {
 public:
  // Starts `spec` with an empty signal mask, default signal dispositions and
  // no file descriptor but 0/1/2. Throws SpawnError when the program cannot
  // be started (missing, not executable, bad workdir).
  static ChildProcess spawn(const SpawnSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Becomes readable when the child exits; invalid when the kernel has no
  // pidfd_open (then callers check `has_exited` periodically).
  int exit_fd() const { return exit_fd_.get(); }
  // Sends `signal` to every process of the child's group. Safe until reaped:
  // the unreaped leader keeps the group id from being reused.
  void signal_group(int signal) const;
  // Whether the child exited, without reaping it (the zombie keeps holding
  // its process group id, so signal_group stays safe).
  bool has_exited() const;
  // Waits for the child and reaps it; returns the raw wait status.
  int reap();

 private:
  explicit ChildProcess(pid_t pid);

  pid_t pid_ = -1;
  UniqueFd exit_fd_;
  bool reaped_ = false;
};

}  // namespace ork::plugins::process
