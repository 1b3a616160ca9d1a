// Writing to a pipe whose reader is gone raises SIGPIPE in the writing
// thread, which kills the host unless it ignores SIGPIPE. Rather than rely on
// (or change) the process-wide disposition, an executor thread that writes to
// a child (a task's stdin, a worker's request pipe) holds a SigpipeBlock: it
// blocks SIGPIPE in this thread while it lives and swallows the one the
// thread's own writes raised meanwhile. Used by the process and library
// executors (the python executor writes with MSG_NOSIGNAL instead).
#pragma once

#include <signal.h>

namespace ork::plugins::executor {

class SigpipeBlock {
 public:
  SigpipeBlock();
  ~SigpipeBlock();
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t previous_mask_;
  bool was_pending_ = false;  // a SIGPIPE pending before is not ours to swallow
};

}  // namespace ork::plugins::executor
