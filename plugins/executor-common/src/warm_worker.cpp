#include "ork_executor/warm_worker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

#include <ork/limits.h>

#include "ork_executor/spawn.hpp"

namespace ork::plugins::executor {

namespace {

constexpr std::size_t kChannelChunk = 256 * 1024;
constexpr std::size_t kLogChunk = 64 * 1024;
constexpr std::size_t kMaxLogLine = ORK_MAX_LOG_LINE_BYTES;  // longer output is cut into lines
constexpr std::size_t kRecentLines = 8;
constexpr auto kStartupTimeout = std::chrono::seconds(60);
constexpr auto kLastWordsTimeout = std::chrono::seconds(1);

struct Channel {
  UniqueFd parent;
  UniqueFd child;
};

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

Channel make_channel();
Pipe make_pipe();
UniqueFd move_high(int fd);
pid_t spawn_worker(const WorkerCommand& command, int channel, int stdout_fd, int stderr_fd);
std::system_error os_error(const std::string& what);
int milliseconds_until(std::optional<Clock::time_point> deadline);
std::string signal_name(int signal);

}  // namespace

// ---- WarmWorker -------------------------------------------------------------

std::unique_ptr<WarmWorker> WarmWorker::start(const WorkerCommand& command) {
  Channel channel = make_channel();
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  pid_t pid = spawn_worker(command, channel.child.get(), out.write_end.get(), err.write_end.get());
  // Private constructor: make_unique cannot reach it.
  std::unique_ptr<WarmWorker> worker(
      new WarmWorker(pid, command, std::move(channel.parent), std::move(out.read_end), std::move(err.read_end)));
  channel.child.reset();
  out.write_end.reset();
  err.write_end.reset();

  const std::string name = "the " + command.kind + " worker " + command.shown;
  std::optional<Reply> ready;
  try {
    ready = worker->receive(Clock::now() + kStartupTimeout, nullptr);
  } catch (const WorkerDied& died) {
    throw std::runtime_error(name + " could not start: " + died.what());
  }
  if (!ready) throw std::runtime_error(name + " did not start within 60 s");
  const auto* version = ready->header.if_contains(command.version_field);
  if (ready->header.if_contains("type") == nullptr || ready->header.at("type") != "ready" || !version ||
      !version->is_string()) {
    throw std::runtime_error(name + " answered with something else than its ready message: " +
                             boost::json::serialize(ready->header));
  }
  worker->version_ = std::string(version->as_string());
  return worker;
}

WarmWorker::WarmWorker(pid_t pid, const WorkerCommand& command, UniqueFd channel, UniqueFd stdout_fd,
                       UniqueFd stderr_fd)
    : pid_(pid),
      kind_(command.kind),
      end_markers_(!command.end_marker.empty()),
      channel_(std::move(channel)),
      stdout_(std::move(stdout_fd)),
      stderr_(std::move(stderr_fd)),
      stdout_lines_(ORK_LOG_STDOUT, command.end_marker),
      stderr_lines_(ORK_LOG_STDERR, command.end_marker) {}

WarmWorker::~WarmWorker() {
  kill();
  std::lock_guard lock(reap_mutex_);
  if (reaped_) return;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

bool WarmWorker::alive() {
  std::lock_guard lock(reap_mutex_);
  if (reaped_) return false;
  int status = 0;
  pid_t rc = ::waitpid(pid_, &status, WNOHANG);
  if (rc == 0) return true;
  reaped_ = true;  // exited, or reaped by someone else (ECHILD)
  if (rc == pid_) {
    exit_status_ = status;
    exit_status_known_ = true;
  }
  return false;
}

void WarmWorker::send(std::string_view header_line, std::optional<std::string_view> payload_line) {
  std::string message;
  message.reserve(header_line.size() + (payload_line ? payload_line->size() : 0) + 2);
  message.append(header_line).push_back('\n');
  if (payload_line) message.append(*payload_line).push_back('\n');
  std::size_t sent = 0;
  while (sent < message.size()) {
    // MSG_NOSIGNAL: a dead worker must give EPIPE here, not SIGPIPE to the host.
    ssize_t n = ::send(channel_.get(), message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      died(nullptr);
    }
    sent += static_cast<std::size_t>(n);
  }
}

std::optional<Reply> WarmWorker::receive(std::optional<Clock::time_point> deadline, const LogHandler& on_log) {
  for (;;) {
    if (auto reply = take_reply()) return reply;
    if (wait_for_input(deadline, on_log) == Wait::timed_out) return std::nullopt;
  }
}

// Waits until the channel has new bytes, handling log output meanwhile.
WarmWorker::Wait WarmWorker::wait_for_input(std::optional<Clock::time_point> deadline, const LogHandler& on_log) {
  for (;;) {
    pollfd fds[3] = {{channel_.get(), POLLIN, 0}, {stdout_.get(), POLLIN, 0}, {stderr_.get(), POLLIN, 0}};
    int n = ::poll(fds, 3, milliseconds_until(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw os_error("poll on the " + kind_ + " worker's pipes");
    }
    if (n == 0) {
      if (deadline && Clock::now() >= *deadline) return Wait::timed_out;
      continue;
    }
    if (fds[1].revents != 0) read_logs(stdout_, stdout_lines_, on_log);
    if (fds[2].revents != 0) read_logs(stderr_, stderr_lines_, on_log);
    if (fds[0].revents != 0) {
      read_channel();
      if (!channel_) died(on_log);
      return Wait::ready;
    }
  }
}

void WarmWorker::read_logs(UniqueFd& fd, LogLineSplitter& splitter, const LogHandler& on_log) {
  char buffer[kLogChunk];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    splitter.flush(on_log);
    fd.reset();
    return;
  }
  splitter.feed(std::string_view(buffer, static_cast<std::size_t>(n)), on_log);
}

// Appends what the channel has to the inbox; closes the channel at EOF.
void WarmWorker::read_channel() {
  std::size_t old_size = inbox_.size();
  inbox_.resize(old_size + kChannelChunk);
  ssize_t n = ::read(channel_.get(), inbox_.data() + old_size, kChannelChunk);
  int saved = errno;
  inbox_.resize(old_size + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  if (n < 0 && (saved == EINTR || saved == EAGAIN)) return;
  if (n <= 0) channel_.reset();
}

std::optional<Reply> WarmWorker::take_reply() {
  try {
    return take_reply_frame(inbox_, scanned_);
  } catch (const MalformedReply& malformed) {
    kill();
    throw WorkerDied(malformed.what());
  }
}

bool WarmWorker::drain_request_logs(Clock::time_point deadline, const LogHandler& on_log) {
  return end_markers_ ? drain_to_end_markers(deadline, on_log) : drain_available_logs(deadline, on_log);
}

bool WarmWorker::drain_available_logs(Clock::time_point deadline, const LogHandler& on_log) {
  // Whatever the worker wrote before its reply is in the pipes already (a
  // write to a pipe has completed when it returns), so a poll that finds
  // nothing to read means the request's output is complete: one syscall for
  // a quiet task, instead of waiting for end markers on both pipes.
  while (stdout_ || stderr_) {
    pollfd fds[2] = {{stdout_.get(), POLLIN, 0}, {stderr_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw os_error("poll on the " + kind_ + " worker's pipes");
    }
    if (n == 0) break;
    if (fds[0].revents != 0) read_logs(stdout_, stdout_lines_, on_log);
    if (fds[1].revents != 0) read_logs(stderr_, stderr_lines_, on_log);
    if (Clock::now() >= deadline) break;
  }
  stdout_lines_.end_request(on_log);
  stderr_lines_.end_request(on_log);
  return stdout_ && stderr_;
}

bool WarmWorker::drain_to_end_markers(Clock::time_point deadline, const LogHandler& on_log) {
  bool stdout_done = stdout_lines_.take_end_marker();
  bool stderr_done = stderr_lines_.take_end_marker();
  while (!stdout_done || !stderr_done) {
    if ((!stdout_done && !stdout_) || (!stderr_done && !stderr_)) return false;  // closed without a marker
    pollfd fds[2] = {{stdout_done ? -1 : stdout_.get(), POLLIN, 0}, {stderr_done ? -1 : stderr_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, milliseconds_until(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw os_error("poll on the " + kind_ + " worker's pipes");
    }
    if (n == 0) {
      if (Clock::now() >= deadline) return false;
      continue;
    }
    if (fds[0].revents != 0) read_logs(stdout_, stdout_lines_, on_log);
    if (fds[1].revents != 0) read_logs(stderr_, stderr_lines_, on_log);
    stdout_done = stdout_done || stdout_lines_.take_end_marker();
    stderr_done = stderr_done || stderr_lines_.take_end_marker();
  }
  return true;
}

void WarmWorker::kill() {
  std::lock_guard lock(reap_mutex_);
  if (!reaped_) ::killpg(pid_, SIGKILL);
}

// The channel closed: the worker exited or was killed. Collects its last
// output and exit status, then throws WorkerDied describing them.
void WarmWorker::died(const LogHandler& on_log) {
  // Anything the task started is in the worker's process group; killing it
  // closes the last write ends of the pipes so the reads below see EOF.
  kill();
  Clock::time_point until = Clock::now() + kLastWordsTimeout;
  while ((stdout_ || stderr_) && Clock::now() < until) {
    pollfd fds[2] = {{stdout_.get(), POLLIN, 0}, {stderr_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, milliseconds_until(until));
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && fds[0].revents != 0) read_logs(stdout_, stdout_lines_, on_log);
    if (n > 0 && fds[1].revents != 0) read_logs(stderr_, stderr_lines_, on_log);
  }
  {
    std::lock_guard lock(reap_mutex_);
    if (!reaped_) {
      int status = 0;
      pid_t rc;
      while ((rc = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
      }
      reaped_ = true;
      if (rc == pid_) {
        exit_status_ = status;
        exit_status_known_ = true;
      }
    }
  }
  throw WorkerDied(describe_exit());
}

std::string WarmWorker::describe_exit() {
  std::string text;
  if (!exit_status_known_) {
    text = "it exited (status unavailable)";
  } else if (WIFSIGNALED(exit_status_)) {
    int signal = WTERMSIG(exit_status_);
    text = "killed by signal " + signal_name(signal);
    if (signal == SIGKILL) text += ", sent from outside the worker (for example by the out-of-memory killer)";
  } else if (WIFEXITED(exit_status_)) {
    text = "exited with code " + std::to_string(WEXITSTATUS(exit_status_));
  } else {
    text = "ended with wait status " + std::to_string(exit_status_);
  }
  const auto& recent = stderr_lines_.recent_lines();
  if (!recent.empty()) {
    text += "; last stderr lines: ";
    for (std::size_t i = 0; i < recent.size(); ++i) text += (i ? " | " : "") + recent[i];
  }
  return text;
}

// ---- reply frames -------------------------------------------------------------

std::optional<Reply> take_reply_frame(std::string& inbox, std::size_t& scanned) {
  std::size_t header_end = inbox.find('\n');
  if (header_end == std::string::npos) return std::nullopt;
  boost::system::error_code error;
  boost::json::value header = boost::json::parse(std::string_view(inbox.data(), header_end), error);
  if (error || !header.is_object()) {
    throw MalformedReply("it sent a malformed message (did the task write to file descriptor 3?): " +
                         inbox.substr(0, std::min<std::size_t>(header_end, 200)));
  }
  Reply reply{std::move(header.as_object()), {}};
  std::size_t consumed = header_end + 1;
  if (const auto* payload = reply.header.if_contains("payload"); payload && payload->is_bool() && payload->as_bool()) {
    std::size_t payload_end = inbox.find('\n', std::max(consumed, scanned));
    if (payload_end == std::string::npos) {
      scanned = inbox.size();  // a 16 MiB output arrives in many reads; don't rescan it each time
      return std::nullopt;
    }
    reply.payload.assign(inbox, consumed, payload_end - consumed);
    consumed = payload_end + 1;
  }
  inbox.erase(0, consumed);
  scanned = 0;
  return reply;
}

// ---- LogLineSplitter ------------------------------------------------------------

LogLineSplitter::LogLineSplitter(ork_log_stream stream, std::string end_marker)
    : stream_(stream),
      end_marker_(std::move(end_marker)),
      lines_({kMaxLogLine, {}, 0, true}, [this](std::string_view line, std::size_t) { on_line(line); }) {}

void LogLineSplitter::feed(std::string_view bytes, const LogHandler& emit) {
  emit_ = &emit;
  lines_.feed(bytes);
  emit_ = nullptr;
}

void LogLineSplitter::flush(const LogHandler& emit) {
  emit_ = &emit;
  lines_.finish();
  emit_ = nullptr;
}

void LogLineSplitter::end_request(const LogHandler& emit) {
  flush(emit);
  recent_.clear();  // a crash report should quote the current request's lines only
}

bool LogLineSplitter::take_end_marker() {
  if (markers_ == 0) return false;
  --markers_;
  return true;
}

void LogLineSplitter::on_line(std::string_view line) {
  if (end_marker_.empty()) {
    emit_line(line);
    return;
  }
  // The worker writes the marker right after flushing the task's output,
  // so text before it on the same line is the task's unterminated last line.
  const bool ends_request = line.ends_with(end_marker_);
  if (ends_request) line.remove_suffix(end_marker_.size());
  // "text\r<marker>": the line splitter drops a "\r" only right before "\n".
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (!ends_request) {
    emit_line(line);
    return;
  }
  if (!line.empty()) emit_line(line);
  ++markers_;
  recent_.clear();  // a crash report should quote the current request's lines only
}

void LogLineSplitter::emit_line(std::string_view line) {
  recent_.emplace_back(line.substr(0, 400));
  if (recent_.size() > kRecentLines) recent_.pop_front();
  if (emit_ != nullptr && *emit_) (*emit_)(stream_, line);
}

// ---- spawning -----------------------------------------------------------------

namespace {

Channel make_channel() {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) throw os_error("socketpair");
  return Channel{UniqueFd(sockets[0]), move_high(sockets[1])};
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw os_error("pipe2");
  return Pipe{UniqueFd(fds[0]), move_high(fds[1])};
}

// Child ends are moved to fd >= 10 so that dup2-ing them onto 1, 2 and 3 in
// the child cannot overwrite one another.
UniqueFd move_high(int fd) {
  int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  int saved = errno;
  ::close(fd);
  if (high < 0) {
    errno = saved;
    throw os_error("fcntl(F_DUPFD_CLOEXEC)");
  }
  return UniqueFd(high);
}

// Own process group (a kill reaches the task's children too), default signal
// dispositions and an empty mask whatever the host blocks, stdin from
// /dev/null, and no inherited descriptor beyond 0-3 (another plugin's pipe
// kept open by a worker would never see its EOF).
pid_t spawn_worker(const WorkerCommand& command, int channel, int stdout_fd, int stderr_fd) {
  SpawnRecipe recipe;
  recipe.argv = command.argv;
  recipe.program = recipe.argv[0];
  recipe.fds = {{-1, 0}, {stdout_fd, 1}, {stderr_fd, 2}, {channel, 3}};
  recipe.close_from = 4;
  recipe.env = command.env;
  recipe.workdir = command.workdir;
  pid_t pid = 0;
  int rc = spawn_process(recipe, pid);
  if (rc != 0) {
    throw std::runtime_error("cannot start the " + command.kind + " worker " + command.program_shown + ": " +
                             std::generic_category().message(rc) + command.install_hint);
  }
  return pid;
}

std::system_error os_error(const std::string& what) { return std::system_error(errno, std::generic_category(), what); }

int milliseconds_until(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

std::string signal_name(int signal) {
  const char* abbreviation = ::sigabbrev_np(signal);
  std::string name = abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
  if (const char* description = ::sigdescr_np(signal)) name += std::string(" (") + description + ")";
  return name;
}

}  // namespace

}  // namespace ork::plugins::executor
