// One isolated worker: an `ork-library-worker` child process that loads task
// libraries and runs one call at a time, so that a crash in user code kills
// only the worker. The host side of the pipes, the spawn (vfork + execve: own
// process group, empty signal mask, default dispositions, no inherited fds)
// and one request/reply exchange with deadline, log forwarding and
// kill-from-another-thread. Used by WorkerPool.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <ork/plugin.h>

#include "worker_protocol.hpp"

#include "ork_executor/unique_fd.hpp"

namespace ork::plugins::library {

using UniqueFd = executor::UniqueFd;

using LogForwarder = std::function<void(ork_log_stream stream, std::string_view line)>;

class WorkerProcess {
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  // Starts `executable`; throws std::system_error when it cannot be started.
  static std::unique_ptr<WorkerProcess> start(const std::filesystem::path& executable);
  WorkerProcess(Passkey, pid_t pid, UniqueFd requests, UniqueFd replies, UniqueFd out, UniqueFd err);
  // Kills the worker's process group (if still running) and reaps it; until
  // then the (possibly zombie) worker keeps its pid, so kill() stays safe.
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  enum class End {
    replied,    // `reply` is set; the worker can be reused
    died,       // the worker exited or crashed; `death` says how
    timed_out,  // the deadline passed; the worker was killed
    killed      // kill() was called (cancellation)
  };
  struct Exchange {
    End end = End::died;
    WorkerReply reply;
    std::string death;
  };

  // Sends `request` and waits for the reply until `deadline`, forwarding the
  // worker's stdout/stderr lines meanwhile. After any end but `replied` the
  // worker is dead (reaped only by the destructor).
  Exchange exchange(const WorkerRequest& request, std::optional<std::chrono::steady_clock::time_point> deadline,
                    const LogForwarder& forward_log);
  // Whether the worker is still running (an idle one may have died, e.g. of
  // a library's background thread crashing).
  bool alive() const;
  // Thread-safe: SIGKILLs the worker; the exchange in progress ends `killed`.
  void kill();

 private:
  std::string wait_and_describe();
  Exchange ended(End end);

  pid_t pid_;
  UniqueFd requests_, replies_, out_, err_;
  std::atomic<bool> killed_{false};
};

// "killed by signal SIGSEGV (11)" / "exited with code 3", from waitid().
std::string describe_child_end(int code, int value);

}  // namespace ork::plugins::library
