// One running warm worker, seen from the plugin that started it: a child
// process in its own process group (so a kill reaches anything the task
// started), a socket on its fd 3 carrying JSON-line requests and replies, and
// pipes on its fd 1/2 read as the current task's log lines. The python
// plugin's ork-python-worker and the typescript plugin's Node.js worker speak
// this protocol; each plugin says only how its worker is started
// (WorkerCommand) and keeps its own request and reply fields. Used through
// WarmWorkerPool (warm_worker_pool.hpp); everything here blocks only the
// calling thread.
#pragma once

#include <ork/plugin.h>

#include <sys/types.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
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

namespace ork::plugins::executor {

using Clock = std::chrono::steady_clock;

// Receives one log line (without its newline) of the task the worker runs.
using LogHandler = std::function<void(ork_log_stream stream, std::string_view line)>;

// How to start one kind of worker, and how it ends each request's output.
struct WorkerCommand {
  std::vector<std::string> argv;  // argv[0] is the program
  std::vector<std::string> env;   // "KEY=VALUE", the whole environment
  std::optional<std::string> workdir;  // unset: the plugin's own
  // For messages: "the <kind> worker <shown>"; a failed spawn names
  // <program_shown> and adds <install_hint>.
  std::string kind;
  std::string shown;
  std::string program_shown;
  std::string install_hint;
  std::string version_field;  // the field of the ready message that holds the runtime's version
  // Empty: the worker flushes a request's output before it replies, so the
  // output is in the pipes when the reply arrives. Else the worker writes
  // this marker to both fd 1 and fd 2 after each request's output (its
  // runtime may still be writing when it replies), and the plugin reads up
  // to both markers.
  std::string end_marker;
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

// Splits one output stream of the worker into lines. Output without a newline
// is handed over in pieces of ORK_MAX_LOG_LINE_BYTES. With an end marker, a
// line ending in it ends the request (see WorkerCommand::end_marker).
class LogLineSplitter {
 public:
  explicit LogLineSplitter(ork_log_stream stream, std::string end_marker = {});
  LogLineSplitter(const LogLineSplitter&) = delete;  // the line splitter calls back into this object
  LogLineSplitter& operator=(const LogLineSplitter&) = delete;
  void feed(std::string_view bytes, const LogHandler& emit);
  void flush(const LogHandler& emit);  // the unterminated rest, at end of stream
  // Without an end marker: the request's output ended, so its last line is
  // handed over even without a newline, and the lines kept to explain a
  // crash are forgotten.
  void end_request(const LogHandler& emit);
  // With an end marker: consumes one marker seen since the last call.
  bool take_end_marker();
  const std::deque<std::string>& recent_lines() const { return recent_; }

 private:
  void on_line(std::string_view line);
  void emit_line(std::string_view line);

  ork_log_stream stream_;
  std::string end_marker_;
  LineSplitter lines_;
  const LogHandler* emit_ = nullptr;  // the handler of the feed or flush under way
  std::size_t markers_ = 0;
  std::deque<std::string> recent_;  // kept to explain a crash
};

class WarmWorker {
 public:
  // Spawns a worker and waits for its "ready" message. Throws
  // std::runtime_error saying why it could not start.
  static std::unique_ptr<WarmWorker> start(const WorkerCommand& command);

  WarmWorker(const WarmWorker&) = delete;
  WarmWorker& operator=(const WarmWorker&) = delete;
  ~WarmWorker();

  pid_t pid() const { return pid_; }
  // The runtime's version, from the ready message (WorkerCommand::version_field).
  const std::string& version() const { return version_; }
  // Whether the process is still running (reaps it if not).
  bool alive();

  // Sends a request header (one JSON line) and an optional payload line.
  // Throws WorkerDied.
  void send(std::string_view header_line, std::optional<std::string_view> payload_line = std::nullopt);
  // The next reply, passing log lines to `on_log` meanwhile. nullopt when
  // `deadline` passed first. Throws WorkerDied.
  std::optional<Reply> receive(std::optional<Clock::time_point> deadline, const LogHandler& on_log);
  // After a reply: the rest of the request's log lines. Without an end
  // marker they are in the pipes already and read without waiting (output
  // still flowing at `deadline`, a background child of the task, is left to
  // later reads); false when the worker closed its stdout or stderr. With
  // one, they are read up to the markers; false when those did not arrive by
  // `deadline`. False means the worker should not be reused: its next task's
  // output would be lost or get stray lines.
  bool drain_request_logs(Clock::time_point deadline, const LogHandler& on_log);
  // SIGKILLs the worker's process group. Safe from any thread; idempotent.
  void kill();

 private:
  WarmWorker(pid_t pid, const WorkerCommand& command, UniqueFd channel, UniqueFd stdout_fd, UniqueFd stderr_fd);

  enum class Wait { ready, timed_out };
  Wait wait_for_input(std::optional<Clock::time_point> deadline, const LogHandler& on_log);
  void read_logs(UniqueFd& fd, LogLineSplitter& splitter, const LogHandler& on_log);
  void read_channel();
  std::optional<Reply> take_reply();
  bool drain_available_logs(Clock::time_point deadline, const LogHandler& on_log);
  bool drain_to_end_markers(Clock::time_point deadline, const LogHandler& on_log);
  [[noreturn]] void died(const LogHandler& on_log);
  std::string describe_exit();

  pid_t pid_;
  std::string kind_;  // for messages
  bool end_markers_;
  std::string version_;
  UniqueFd channel_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  LogLineSplitter stdout_lines_;
  LogLineSplitter stderr_lines_;
  std::string inbox_;        // bytes from the channel not yet consumed
  std::size_t scanned_ = 0;  // inbox_ prefix known to hold no further newline
  std::mutex reap_mutex_;    // guards reaped_/exit_status_ against kill() from other threads
  bool reaped_ = false;
  int exit_status_ = 0;
  bool exit_status_known_ = false;
};

}  // namespace ork::plugins::executor
