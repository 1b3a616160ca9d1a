#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

// glibc 2.36's <sys/pidfd.h> lacks the extern "C" wrapper (fixed in 2.37).
extern "C" {
#include <sys/pidfd.h>
}

namespace ork::plugins::process {
namespace {

// RAII for posix_spawn's file-actions object.
class SpawnFileActions {
 public:
  SpawnFileActions();
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// RAII for posix_spawn's attributes object.
class SpawnAttributes {
 public:
  SpawnAttributes();
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

int above_stdio(int fd);
void add_file_actions(SpawnFileActions& actions, const SpawnSpec& spec);
void set_attributes(SpawnAttributes& attributes);
std::vector<char*> c_strings(const std::vector<std::string>& strings);
void check_spawn_call(int rc, const char* what);

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

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
  SpawnFileActions actions;
  add_file_actions(actions, spec);
  SpawnAttributes attributes;
  set_attributes(attributes);
  std::vector<char*> argv = c_strings(spec.argv);
  std::vector<char*> envp = c_strings(spec.environment);
  pid_t pid = -1;
  // glibc's posix_spawn reports exec and file-action failures (ENOENT,
  // EACCES, a failed chdir) as its return value.
  int rc = posix_spawn(&pid, spec.program.c_str(), actions.get(), attributes.get(), argv.data(), envp.data());
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

SpawnFileActions::SpawnFileActions() {
  check_spawn_call(posix_spawn_file_actions_init(&actions_), "posix_spawn_file_actions_init");
}

SpawnAttributes::SpawnAttributes() { check_spawn_call(posix_spawnattr_init(&attributes_), "posix_spawnattr_init"); }

int above_stdio(int fd) {
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  int error = errno;
  close(fd);
  if (moved < 0) throw std::system_error(error, std::generic_category(), "fcntl(F_DUPFD_CLOEXEC)");
  return moved;
}

void add_file_actions(SpawnFileActions& actions, const SpawnSpec& spec) {
  posix_spawn_file_actions_t* fa = actions.get();
  check_spawn_call(posix_spawn_file_actions_adddup2(fa, spec.stdin_fd, STDIN_FILENO), "adddup2");
  check_spawn_call(posix_spawn_file_actions_adddup2(fa, spec.stdout_fd, STDOUT_FILENO), "adddup2");
  check_spawn_call(posix_spawn_file_actions_adddup2(fa, spec.stderr_fd, STDERR_FILENO), "adddup2");
  // Our own fds are O_CLOEXEC, but other code in the host may open fds
  // without it; the task must not inherit those.
  check_spawn_call(posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1), "addclosefrom_np");
  if (!spec.workdir.empty()) {
    check_spawn_call(posix_spawn_file_actions_addchdir_np(fa, spec.workdir.c_str()), "addchdir_np");
  }
}

void set_attributes(SpawnAttributes& attributes) {
  posix_spawnattr_t* attr = attributes.get();
  // Own process group, so a timeout or cancel reaches the task's whole tree;
  // empty mask and default dispositions, so a host that blocks or ignores
  // signals (SIGTERM for sigwait, SIGPIPE) does not pass that on.
  check_spawn_call(
      posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
      "posix_spawnattr_setflags");
  check_spawn_call(posix_spawnattr_setpgroup(attr, 0), "posix_spawnattr_setpgroup");
  sigset_t none;
  sigemptyset(&none);
  check_spawn_call(posix_spawnattr_setsigmask(attr, &none), "posix_spawnattr_setsigmask");
  sigset_t all;
  sigfillset(&all);
  check_spawn_call(posix_spawnattr_setsigdefault(attr, &all), "posix_spawnattr_setsigdefault");
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  // posix_spawn's prototype takes char* const[], but never writes through it.
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

void check_spawn_call(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

}  // namespace
}  // namespace ork::plugins::process
