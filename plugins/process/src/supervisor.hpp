// Watching one running task program to its end: feeding its stdin, reading
// its stdout and stderr as they come, enforcing the timeout, acting on a
// cancel request, and cleaning up processes that outlive it, all from one
// poll() loop on the calling thread. Used by the process executor's run path.
#pragma once

#include "child_process.hpp"
#include "task_output.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace ork::plugins::process {

// A cancel request for one supervised run, raised from another thread. It
// wakes the supervisor's poll() through an eventfd.
class CancelSignal {
 public:
  CancelSignal();  // throws std::system_error when no eventfd can be made
  void raise();
  bool raised() const { return raised_.load(std::memory_order_acquire); }
  int wakeup_fd() const { return wakeup_.get(); }
  // Ready for another run: not raised, its eventfd drained. Only once
  // nothing can raise it any more (its attempt left the registry).
  void rearm();

 private:
  UniqueFd wakeup_;
  std::atomic<bool> raised_{false};
};

// Cancel signals kept between runs: a new one per run costs two system
// calls (eventfd, close). Thread-safe; keeps at most `max_kept`.
class CancelSignalPool {
 public:
  // A signal for one run, given back (rearmed) when the lease ends.
  class Lease {
   public:
    Lease(CancelSignalPool& pool, std::unique_ptr<CancelSignal> signal) : pool_(pool), signal_(std::move(signal)) {}
    ~Lease() { pool_.give_back(std::move(signal_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    CancelSignal& operator*() const { return *signal_; }

   private:
    CancelSignalPool& pool_;
    std::unique_ptr<CancelSignal> signal_;
  };

  Lease take();

 private:
  static constexpr std::size_t max_kept = 64;
  void give_back(std::unique_ptr<CancelSignal> signal);

  std::mutex mutex_;
  std::vector<std::unique_ptr<CancelSignal>> kept_;
};

// The parent's ends of the child's stdio pipes.
struct ParentEnds {
  UniqueFd stdin_write;
  UniqueFd stdout_read;
  UniqueFd stderr_read;
};

struct SupervisionLimits {
  std::chrono::milliseconds timeout{0};  // 0: none
  // From SIGTERM to SIGKILL, on timeout or cancel.
  std::chrono::milliseconds kill_grace{5000};
  // How long processes the main one left behind may keep its stdout/stderr
  // open before its group is killed, and how long after that kill to wait
  // for the pipes before giving up on them.
  std::chrono::milliseconds orphan_wait{500};
};

enum class Ending { exited, timed_out, cancelled };

struct Supervised {
  Ending ending = Ending::exited;
  int wait_status = 0;  // as returned by waitpid
};

// Runs the loop until the child exited (and is reaped) and its output pipes
// are closed. Writes `input` to its stdin, then closes it. Notes about
// killed leftovers go to `sink` as system log lines.
Supervised supervise(ChildProcess& child, ParentEnds ends, std::string_view input, TaskOutput& output,
                     const CancelSignal& cancel, const SupervisionLimits& limits, const ork::plugin::TaskSink& sink);

}  // namespace ork::plugins::process
