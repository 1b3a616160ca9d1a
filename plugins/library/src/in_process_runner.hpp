// Runs library task functions inside the host process, on the scheduler's
// worker thread. Such a call cannot be interrupted: without a timeout it runs
// on the calling thread (the fast path); with a timeout it runs on a helper
// thread that is abandoned (left to finish, its result freed and discarded)
// when the deadline passes or the attempt is cancelled. Used by the executor.
#pragma once

#include <ork/plugin.hpp>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include "ork_executor/attempt_registry.hpp"
#include "task_library.hpp"

namespace ork::plugins::library {

class InProcessRunner {
 public:
  void run(const TaskFunction& function, const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink);
  // Marks the attempt cancelled: a call with a timeout is abandoned at once,
  // a direct call reports the cancellation when it returns.
  void cancel(std::uint64_t attempt_token);

 private:
  struct Attempt {
    std::mutex mutex;
    std::condition_variable changed;
    bool cancelled = false;
    bool done = false;
    CallOutcome outcome;
  };

  void run_direct(const TaskFunction& function, const std::string& input, Attempt& attempt,
                  ork::plugin::TaskSink& sink);
  void run_with_deadline(const TaskFunction& function, std::string input, const std::shared_ptr<Attempt>& attempt,
                         std::chrono::milliseconds timeout, ork::plugin::TaskSink& sink);

  executor::AttemptRegistry<Attempt> attempts_;  // running attempts by token, for cancel
};

}  // namespace ork::plugins::library
