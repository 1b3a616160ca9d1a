// One running ork-python-worker, seen from the plugin: a child process in its
// own process group (so a kill reaches anything the task started), a socket on
// its fd 3 carrying JSON-line requests and replies, and pipes on its fd 1/2
// read as the current task's log lines. Used by the worker pool and the
// python executor; everything here blocks only the calling thread.
#pragma once

#include <ork/plugin.h>

#include <sys/types.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ork_executor/line_splitter.hpp"
#include "ork_executor/unique_fd.hpp"

namespace ork::plugins::python {

using Clock = std::chrono::steady_clock;

// Receives one log line (without its newline) of the task the worker runs.
using LogHandler = std::function<void(ork_log_stream stream, std::string_view line)>;

// What a worker is started with; workers with equal launches are interchangeable.
struct WorkerLaunch {
  std::filesystem::path executable;  // ork-python-worker
  std::filesystem::path workflow_dir;
  std::vector<std::filesystem::path> site_packages;  // a venv's, prepended to sys.path
  std::string python_executable;                    // sys.executable for tasks; empty = the embedded one

  std::string key() const;
};

// The worker went away mid-conversation; what() says how ("killed by signal
// SIGSEGV; last stderr lines: ...").
class WorkerDied : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A reply: its JSON header line and, when the header says "payload": true,
// the raw line after it (a task's output JSON, passed on untouched).
struct Reply {
  boost::json::object header;
  std::string payload;
};

// A reply whose header line is not a JSON object: the worker (or a task
// writing to its fd 3) broke the protocol.
class MalformedReply : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Removes the first complete reply (header line, and its payload line when
// the header says "payload": true) from `inbox`, the bytes read from the
// worker's channel so far; nullopt while it is incomplete. `scanned` carries
// how much of a pending payload was already searched for its newline, so a
// large output is not rescanned on every read (0 for a fresh inbox). Throws
// MalformedReply. A free function so the fuzz target can drive it.
std::optional<Reply> take_reply_frame(std::string& inbox, std::size_t& scanned);

using UniqueFd = executor::UniqueFd;

// Splits one output stream of the worker into lines. Output without a newline
// is handed over in pieces of ORK_MAX_LOG_LINE_BYTES.
class LogLineSplitter {
 public:
  explicit LogLineSplitter(ork_log_stream stream);
  LogLineSplitter(const LogLineSplitter&) = delete;  // the line splitter calls back into this object
  LogLineSplitter& operator=(const LogLineSplitter&) = delete;
  void feed(std::string_view bytes, const LogHandler& emit);
  void flush(const LogHandler& emit);  // the unterminated rest, at end of stream
  // The request's output ended: hands over its last line if it had no
  // newline, and forgets the lines kept to explain a crash.
  void end_request(const LogHandler& emit);
  const std::deque<std::string>& recent_lines() const { return recent_; }

 private:
  void emit_line(std::string_view line);

  ork_log_stream stream_;
  executor::LineSplitter lines_;
  const LogHandler* emit_ = nullptr;  // the handler of the feed or end_request under way
  std::deque<std::string> recent_;    // kept to explain a crash
};

class WorkerProcess {
 public:
  // Spawns a worker and waits for its "ready" message. Throws
  // std::runtime_error saying why it could not start.
  static std::unique_ptr<WorkerProcess> start(const WorkerLaunch& launch);

  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  ~WorkerProcess();

  pid_t pid() const { return pid_; }
  const std::string& python_version() const { return python_version_; }
  // Whether the process is still running (reaps it if not).
  bool alive();

  // Sends a request header (one JSON line) and an optional payload line.
  // Throws WorkerDied.
  void send(std::string_view header_line, std::optional<std::string_view> payload_line = std::nullopt);
  // The next reply, passing log lines to `on_log` meanwhile. nullopt when
  // `deadline` passed first. Throws WorkerDied.
  std::optional<Reply> receive(std::optional<Clock::time_point> deadline, const LogHandler& on_log);
  // After a reply: the rest of the request's log lines. The worker flushed
  // them into its pipes before replying, so they are read without waiting;
  // output still flowing at `deadline` (a background child of the task) is
  // left to later reads. False when the worker closed its stdout or stderr
  // (it should not be reused then: its next task's output would be lost).
  bool drain_request_logs(Clock::time_point deadline, const LogHandler& on_log);
  // SIGKILLs the worker's process group. Safe from any thread; idempotent.
  void kill();

 private:
  WorkerProcess(pid_t pid, UniqueFd channel, UniqueFd stdout_fd, UniqueFd stderr_fd);

  enum class Wait { ready, timed_out };
  Wait wait_for_input(std::optional<Clock::time_point> deadline, const LogHandler& on_log);
  void read_logs(UniqueFd& fd, LogLineSplitter& splitter, const LogHandler& on_log);
  void read_channel();
  std::optional<Reply> take_reply();
  [[noreturn]] void died(const LogHandler& on_log);
  std::string describe_exit();

  pid_t pid_;
  std::string python_version_;
  UniqueFd channel_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  LogLineSplitter stdout_lines_{ORK_LOG_STDOUT};
  LogLineSplitter stderr_lines_{ORK_LOG_STDERR};
  std::string inbox_;         // bytes from the channel not yet consumed
  std::size_t scanned_ = 0;   // inbox_ prefix known to hold no further newline
  std::mutex reap_mutex_;     // guards reaped_/exit_status_ against kill() from other threads
  bool reaped_ = false;
  int exit_status_ = 0;
  bool exit_status_known_ = false;
};

}  // namespace ork::plugins::python
