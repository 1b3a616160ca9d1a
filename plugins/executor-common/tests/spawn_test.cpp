// spawn_process: the child gets the descriptors it was given and no other,
// its own process group, an empty signal mask and default dispositions, the
// environment it was given, and a failed exec (or a failed chdir into a
// missing workdir) comes back as its errno instead of a throw.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iterator>
#include <string>

#include "ork_executor/spawn.hpp"

namespace ork::plugins::executor {
namespace {

// Runs `script` under /bin/sh with stdout into a pipe; returns what it printed.
std::string output_of(const std::string& script, std::vector<std::string> env = {}) {
  int out[2];
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  int leaked = ::open("/dev/null", O_RDONLY);  // not O_CLOEXEC: the recipe must still close it
  SpawnRecipe recipe;
  recipe.program = "/bin/sh";
  recipe.argv = {"sh", "-c", script + "; echo fd=$(ls /proc/self/fd | wc -l)"};
  recipe.env = std::move(env);
  recipe.fds = {{-1, 0}, {out[1], 1}, {out[1], 2}};
  pid_t pid = -1;
  EXPECT_EQ(spawn_process(recipe, pid), 0);
  ::close(out[1]);
  ::close(leaked);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return text;
}

TEST(SpawnProcess, GivesTheChildOnlyItsDescriptorsAndItsOwnProcessGroup) {
  std::string text = output_of("test $(ps -o pgid= $$) -eq $$ && echo own-group");
  EXPECT_NE(text.find("own-group"), std::string::npos) << text;
  // 0, 1, 2 and the one `ls` opens for /proc/self/fd.
  EXPECT_NE(text.find("fd=4"), std::string::npos) << text;
}

TEST(SpawnProcess, ResetsSignalsTheParentIgnoresOrBlocks) {
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  std::string text = output_of("grep -E '^(SigBlk|SigIgn)' /proc/self/status");
  pthread_sigmask(SIG_UNBLOCK, &block, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  EXPECT_NE(text.find("SigBlk:\t0000000000000000"), std::string::npos) << text;
  // glibc may ignore its own internal real-time signals (32, 33); SIGPIPE must not be.
  const std::size_t at = text.find("SigIgn:\t");
  ASSERT_NE(at, std::string::npos) << text;
  const unsigned long long ignored = std::stoull(text.substr(at + 8, 16), nullptr, 16);
  EXPECT_EQ(ignored & (1ull << (SIGPIPE - 1)), 0u) << text;
}

TEST(SpawnProcess, ResetsEveryIgnoredSignalFromTheFirstToTheLastRealTimeOne) {
  // The child resets only the signals not at their default (read from
  // /proc/self/status): the lowest and highest bits of that mask must count.
  const int signals[] = {SIGHUP, SIGUSR2, SIGRTMIN + 3, SIGRTMAX};
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous[std::size(signals)] {};
  for (std::size_t i = 0; i < std::size(signals); ++i) sigaction(signals[i], &ignore, &previous[i]);
  std::string text = output_of("grep -E '^SigIgn' /proc/self/status");
  for (std::size_t i = 0; i < std::size(signals); ++i) sigaction(signals[i], &previous[i], nullptr);
  const std::size_t at = text.find("SigIgn:\t");
  ASSERT_NE(at, std::string::npos) << text;
  const unsigned long long ignored = std::stoull(text.substr(at + 8, 16), nullptr, 16);
  for (int signal : signals) EXPECT_EQ(ignored & (1ull << (signal - 1)), 0u) << "signal " << signal << ": " << text;
}

TEST(SpawnProcess, PassesExactlyTheEnvironmentItWasGiven) {
  std::string text = output_of("echo value=$ORK_SPAWN_TEST; echo home=${HOME:-unset}", {"ORK_SPAWN_TEST=42"});
  EXPECT_NE(text.find("value=42"), std::string::npos) << text;
  EXPECT_NE(text.find("home=unset"), std::string::npos) << text;
}

TEST(SpawnProcess, AMissingProgramIsPosixSpawnsErrnoNotAThrow) {
  SpawnRecipe recipe;
  recipe.program = "/nonexistent/ork-spawn-test";
  recipe.argv = {recipe.program};
  pid_t pid = -1;
  int rc = spawn_process(recipe, pid);
  if (rc == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);  // an implementation that reports exec failures as exit 127
    EXPECT_EQ(WEXITSTATUS(status), 127);
  } else {
    EXPECT_EQ(rc, ENOENT);
  }
}

TEST(SpawnProcess, AMissingWorkdirIsTheChdirsErrno) {
  SpawnRecipe recipe;
  recipe.program = "/bin/true";
  recipe.argv = {"true"};
  recipe.workdir = "/nonexistent/ork-spawn-test-dir";
  pid_t pid = -1;
  EXPECT_EQ(spawn_process(recipe, pid), ENOENT);
}

TEST(SpawnProcess, AHandlerTheHostInstalledNeverRunsInTheChild) {
  // A handled signal is reset to its default in the child (exec would do so
  // too, but only once it succeeds): SigCgt of the child shows no handler.
  struct sigaction handled {};
  handled.sa_handler = [](int) {};
  struct sigaction previous {};
  sigaction(SIGUSR2, &handled, &previous);
  std::string text = output_of("grep -E '^SigCgt' /proc/self/status; kill -USR2 $$; echo survived");
  sigaction(SIGUSR2, &previous, nullptr);
  EXPECT_EQ(text.find("survived"), std::string::npos) << "SIGUSR2's default action ends the shell: " << text;
}

TEST(SpawnProcess, AFailingSetUpCallThrowsNamingIt) {
  SpawnRecipe recipe;
  recipe.program = "/bin/true";
  recipe.argv = {"true"};
  recipe.fds = {{-5, -7}};  // a negative child fd: EBADF
  pid_t pid = -1;
  try {
    spawn_process(recipe, pid);
    FAIL() << "expected a throw";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("spawn: child descriptor -7"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ork::plugins::executor
