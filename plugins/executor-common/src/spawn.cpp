#include "ork_executor/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace ork::plugins::executor {

namespace {

// Everything the child needs, prepared by the parent: after vfork the child
// shares the parent's memory and may only make system calls.
struct ChildPlan {
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const std::pair<int, int>* fds = nullptr;
  std::size_t fd_count = 0;
  unsigned close_from = 3;
  const char* workdir = nullptr;
  // Written by the child when a step fails (the parent reads it once the
  // child has exec'ed or exited: vfork suspends the parent until then).
  volatile int error = 0;
};

void check_recipe(const SpawnRecipe& recipe);
std::vector<char*> pointers(const std::vector<std::string>& strings);
[[noreturn]] void run_child(ChildPlan& plan);
std::uint64_t changed_dispositions();
constexpr std::uint64_t signal_bit(int signal) { return std::uint64_t{1} << (signal - 1); }

// Blocks every signal in the calling thread for its lifetime: the vfork
// child runs on this thread's stack until it execs, and none of the
// parent's handlers may run there.
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~AllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  AllSignalsBlocked(const AllSignalsBlocked&) = delete;
  AllSignalsBlocked& operator=(const AllSignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace

// vfork, not posix_spawn: glibc's posix_spawn maps (and unmaps) a fresh
// stack for every child, and in a multithreaded host each unmap interrupts
// the other cores to flush their TLBs; it also reads RLIMIT_NOFILE once per
// file action. With vfork the child borrows this thread's stack while it
// sets itself up, and the parent waits (as with posix_spawn) until it has
// exec'ed, so a failed exec is still reported as its errno.
int spawn_process(const SpawnRecipe& recipe, pid_t& pid) {
  check_recipe(recipe);
  std::vector<char*> argv = pointers(recipe.argv);
  std::vector<char*> envp = pointers(recipe.env);
  ChildPlan plan;
  plan.program = recipe.program.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.fds = recipe.fds.data();
  plan.fd_count = recipe.fds.size();
  plan.close_from = static_cast<unsigned>(recipe.close_from);
  plan.workdir = recipe.workdir ? recipe.workdir->c_str() : nullptr;

  pid_t child = -1;
  {
    AllSignalsBlocked blocked;
    child = vfork();
    if (child == 0) run_child(plan);
    // Thrown here, with errno as vfork left it (the signal mask is restored
    // as it unwinds); no local but `child` lives across vfork, which GCC's
    // -Wclobbered (an error in CI's -O1 sanitizer build) asks for.
    if (child < 0) throw std::system_error(errno, std::generic_category(), "vfork");
  }
  if (int error = plan.error; error != 0) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return error;
  }
  pid = child;
  return 0;
}

namespace {

// What the child cannot report well once it runs: refused here, naming the problem.
void check_recipe(const SpawnRecipe& recipe) {
  if (recipe.argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "spawn: an empty argv");
  for (const auto& [parent, child] : recipe.fds) {
    if (child < 0) {
      throw std::system_error(EBADF, std::generic_category(),
                              "spawn: child descriptor " + std::to_string(child) + " for parent descriptor " +
                                  std::to_string(parent));
    }
  }
  if (recipe.close_from < 0) throw std::system_error(EBADF, std::generic_category(), "spawn: close_from < 0");
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  // execve's prototype takes char* const[], but never writes through it.
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void fail_child(ChildPlan& plan) {
  plan.error = errno != 0 ? errno : EINVAL;
  _exit(127);
}

// In the vfork child: system calls only (no allocation, no locks, no return).
[[noreturn]] void run_child(ChildPlan& plan) {
  if (setpgid(0, 0) != 0) fail_child(plan);  // its own group: a kill reaches what it starts
  for (std::size_t i = 0; i < plan.fd_count; ++i) {
    auto [parent, child] = plan.fds[i];
    if (parent < 0) {
      int opened = open("/dev/null", O_RDONLY);
      if (opened < 0) fail_child(plan);
      if (opened != child) {
        if (dup2(opened, child) < 0) fail_child(plan);
        close(opened);
      }
    } else if (parent == child) {
      if (fcntl(child, F_SETFD, 0) != 0) fail_child(plan);  // keep it across exec
    } else if (dup2(parent, child) < 0) {
      fail_child(plan);
    }
  }
  // Other host code may open fds without O_CLOEXEC; the child gets none of them.
  if (close_range(plan.close_from, ~0U, 0) != 0) fail_child(plan);
  if (plan.workdir && chdir(plan.workdir) != 0) fail_child(plan);
  // Default dispositions (a signal the host ignores, such as SIGPIPE, must
  // behave normally in user code; no host handler may run in this child),
  // then an empty mask; still blocked until then. Only the signals not at
  // their default are reset: a sigaction costs about as much as reading
  // which those are, and all 62 of them were ~55 us per spawn, during which
  // the parent waits.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  const std::uint64_t changed = changed_dispositions();
  for (int signal = 1; signal < NSIG && signal <= 64; ++signal) {
    if (signal == SIGKILL || signal == SIGSTOP || (changed & signal_bit(signal)) == 0) continue;
    sigaction(signal, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) fail_child(plan);
  execve(plan.program, plan.argv, plan.envp);
  fail_child(plan);
}

std::uint64_t status_mask(const char* status, std::size_t size, const char* field);

// The signals whose disposition is not the default (ignored or handled), as
// bits (signal_bit), from this process's /proc/self/status: after vfork the
// child has its own copy of the dispositions, so this is exactly what it
// inherited. Every signal when /proc cannot be read. In the vfork child:
// system calls and stack memory only.
std::uint64_t changed_dispositions() {
  constexpr std::uint64_t every_signal = ~std::uint64_t{0};
  char status[8192];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return every_signal;
  std::size_t size = 0;
  while (size < sizeof status) {
    ssize_t got = read(fd, status + size, sizeof status - size);
    if (got <= 0) break;
    size += static_cast<std::size_t>(got);
  }
  close(fd);
  std::uint64_t ignored = status_mask(status, size, "\nSigIgn:\t");
  std::uint64_t caught = status_mask(status, size, "\nSigCgt:\t");
  return ignored | caught;
}

// The 16 hex digits after `field` in `status`; every bit set when the
// field is missing or malformed (then every signal is reset, as before).
std::uint64_t status_mask(const char* status, std::size_t size, const char* field) {
  constexpr std::uint64_t every_signal = ~std::uint64_t{0};
  std::size_t field_size = 0;
  while (field[field_size] != '\0') ++field_size;
  for (std::size_t at = 0; at + field_size + 16 <= size; ++at) {
    std::size_t matched = 0;
    while (matched < field_size && status[at + matched] == field[matched]) ++matched;
    if (matched != field_size) continue;
    std::uint64_t mask = 0;
    for (std::size_t i = at + field_size; i < at + field_size + 16; ++i) {
      char c = status[i];
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return every_signal;
      mask = (mask << 4) | static_cast<std::uint64_t>(digit);
    }
    return mask;
  }
  return every_signal;
}

}  // namespace

}  // namespace ork::plugins::executor
