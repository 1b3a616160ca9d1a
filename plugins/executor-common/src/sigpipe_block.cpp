#include "ork_executor/sigpipe_block.hpp"

#include <pthread.h>

#include <ctime>

namespace ork::plugins::executor {
namespace {

sigset_t sigpipe_only() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool sigpipe_pending() {
  sigset_t pending;
  return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeBlock::SigpipeBlock() {
  sigset_t block = sigpipe_only();
  pthread_sigmask(SIG_BLOCK, &block, &previous_mask_);
  was_pending_ = sigpipe_pending();
}

SigpipeBlock::~SigpipeBlock() {
  // Swallow only what this block caused: not a SIGPIPE pending before it, nor
  // one the thread had blocked already (its owner deals with that).
  if (!was_pending_ && sigismember(&previous_mask_, SIGPIPE) != 1) {
    sigset_t pipe = sigpipe_only();
    timespec no_wait{};
    while (sigtimedwait(&pipe, nullptr, &no_wait) == SIGPIPE) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace ork::plugins::executor
