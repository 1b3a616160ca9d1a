// SigpipeBlock: a write to a pipe nobody reads fails with EPIPE instead of
// killing the process, the SIGPIPE it raised is swallowed, and the thread's
// signal mask is as it was afterwards.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "ork_executor/sigpipe_block.hpp"

namespace ork::plugins::executor {
namespace {

bool sigpipe_blocked() {
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

bool sigpipe_pending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

TEST(SigpipeBlock, AWriteToAClosedPipeFailsWithEpipeAndLeavesNothingPending) {
  // SIGPIPE's default action would end this test binary: surviving is the test.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGPIPE, &default_action, &previous), 0);
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);
  ASSERT_FALSE(sigpipe_blocked());
  {
    SigpipeBlock block;
    EXPECT_TRUE(sigpipe_blocked());
    EXPECT_EQ(::write(fds[1], "x", 1), -1);
    EXPECT_EQ(errno, EPIPE);
    EXPECT_TRUE(sigpipe_pending());
  }
  EXPECT_FALSE(sigpipe_blocked());
  EXPECT_FALSE(sigpipe_pending());
  ::close(fds[1]);
  sigaction(SIGPIPE, &previous, nullptr);
}

TEST(SigpipeBlock, LeavesAnAlreadyBlockedSigpipeBlockedAndPending) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &before);
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);
  {
    SigpipeBlock block;
    EXPECT_EQ(::write(fds[1], "x", 1), -1);
  }
  EXPECT_TRUE(sigpipe_blocked());
  EXPECT_TRUE(sigpipe_pending());  // the owner of the outer block decides what to do with it
  timespec no_wait{};
  EXPECT_EQ(sigtimedwait(&pipe_only, nullptr, &no_wait), SIGPIPE);
  ::close(fds[1]);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

}  // namespace
}  // namespace ork::plugins::executor
