#include "supervisor.hpp"

#include "ork_executor/sigpipe_block.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>

namespace ork::plugins::process {
namespace {

using Clock = std::chrono::steady_clock;

// The poll() loop behind `supervise`; one object per run.
class Supervisor {
 public:
  Supervisor(ChildProcess& child, ParentEnds ends, std::string_view input, TaskOutput& output,
             const CancelSignal& cancel, const SupervisionLimits& limits, const ork::plugin::TaskSink& sink);
  Supervised run();

 private:
  enum class Source { stdin_pipe, stdout_pipe, stderr_pipe, child_exit, cancel_request };

  void poll_once();
  int poll_timeout_ms(Clock::time_point now) const;
  void write_input();
  void read_output(Source source);
  void close_output(Source source);
  void on_child_exited(Clock::time_point now);
  void check_deadlines(Clock::time_point now);
  void begin_termination(Ending why, Clock::time_point now);
  bool terminating() const { return ending_ != Ending::exited; }

  static constexpr std::size_t read_chunk = 64 * 1024;
  // Without pidfd_open, how often to look whether the child exited.
  static constexpr std::chrono::milliseconds exit_check_interval{50};

  ChildProcess& child_;
  ParentEnds ends_;
  std::string_view input_left_;
  TaskOutput& output_;
  const CancelSignal& cancel_;
  SupervisionLimits limits_;
  const ork::plugin::TaskSink& sink_;
  // The child may close stdin before reading it all; only while there is
  // input to write (most is written before the child starts).
  std::optional<executor::SigpipeBlock> sigpipe_block_;
  std::unique_ptr<char[]> buffer_;
  bool exited_ = false;
  Ending ending_ = Ending::exited;
  std::optional<Clock::time_point> timeout_at_;
  std::optional<Clock::time_point> kill_at_;
  std::optional<Clock::time_point> orphan_kill_at_;
  std::optional<Clock::time_point> abandon_pipes_at_;
};

}  // namespace

CancelSignal::CancelSignal() : wakeup_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!wakeup_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void CancelSignal::raise() {
  raised_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  // Cannot fail short of a counter overflow, which a second raise() would not fix either.
  [[maybe_unused]] ssize_t written = write(wakeup_.get(), &one, sizeof one);
}

void CancelSignal::rearm() {
  if (!raised_.exchange(false, std::memory_order_acq_rel)) return;
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t drained = read(wakeup_.get(), &count, sizeof count);  // non-blocking
}

CancelSignalPool::Lease CancelSignalPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!kept_.empty()) {
      std::unique_ptr<CancelSignal> signal = std::move(kept_.back());
      kept_.pop_back();
      return Lease(*this, std::move(signal));
    }
  }
  return Lease(*this, std::make_unique<CancelSignal>());
}

void CancelSignalPool::give_back(std::unique_ptr<CancelSignal> signal) {
  if (!signal) return;
  signal->rearm();
  std::lock_guard lock(mutex_);
  if (kept_.size() < max_kept) kept_.push_back(std::move(signal));
}

Supervised supervise(ChildProcess& child, ParentEnds ends, std::string_view input, TaskOutput& output,
                     const CancelSignal& cancel, const SupervisionLimits& limits, const ork::plugin::TaskSink& sink) {
  return Supervisor(child, std::move(ends), input, output, cancel, limits, sink).run();
}

namespace {

Supervisor::Supervisor(ChildProcess& child, ParentEnds ends, std::string_view input, TaskOutput& output,
                       const CancelSignal& cancel, const SupervisionLimits& limits,
                       const ork::plugin::TaskSink& sink)
    : child_(child),
      ends_(std::move(ends)),
      input_left_(input),
      output_(output),
      cancel_(cancel),
      limits_(limits),
      sink_(sink),
      buffer_(std::make_unique_for_overwrite<char[]>(read_chunk)) {
  if (input_left_.empty()) ends_.stdin_write.reset();
  if (ends_.stdin_write) sigpipe_block_.emplace();
}

Supervised Supervisor::run() {
  if (limits_.timeout.count() > 0) timeout_at_ = Clock::now() + limits_.timeout;
  // An input that fits in the pipe (most do: 64 KiB) is written at once,
  // without a poll round to learn that the empty pipe has room.
  if (ends_.stdin_write) write_input();
  while (ends_.stdout_read || ends_.stderr_read || !exited_) poll_once();
  return Supervised{ending_, child_.reap()};
}

void Supervisor::poll_once() {
  pollfd fds[5];
  Source sources[5];
  nfds_t count = 0;
  auto watch = [&](int fd, short events, Source source) {
    fds[count] = pollfd{fd, events, 0};
    sources[count++] = source;
  };
  if (ends_.stdin_write) watch(ends_.stdin_write.get(), POLLOUT, Source::stdin_pipe);
  if (ends_.stdout_read) watch(ends_.stdout_read.get(), POLLIN, Source::stdout_pipe);
  if (ends_.stderr_read) watch(ends_.stderr_read.get(), POLLIN, Source::stderr_pipe);
  if (!exited_ && child_.exit_fd() >= 0) watch(child_.exit_fd(), POLLIN, Source::child_exit);
  if (!exited_ && !terminating()) watch(cancel_.wakeup_fd(), POLLIN, Source::cancel_request);

  int ready = poll(fds, count, poll_timeout_ms(Clock::now()));
  if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  Clock::time_point now = Clock::now();
  for (nfds_t i = 0; ready > 0 && i < count; ++i) {
    if (fds[i].revents == 0) continue;
    switch (sources[i]) {
      case Source::stdin_pipe: write_input(); break;
      case Source::stdout_pipe:
      case Source::stderr_pipe: read_output(sources[i]); break;
      case Source::child_exit: on_child_exited(now); break;  // a pidfd is readable once its process exited
      case Source::cancel_request: begin_termination(Ending::cancelled, now); break;
    }
  }
  if (!exited_ && child_.exit_fd() < 0 && child_.has_exited()) on_child_exited(now);
  check_deadlines(now);
}

int Supervisor::poll_timeout_ms(Clock::time_point now) const {
  std::optional<Clock::time_point> next;
  for (const std::optional<Clock::time_point>& deadline : {timeout_at_, kill_at_, orphan_kill_at_, abandon_pipes_at_}) {
    if (deadline && (!next || *deadline < *next)) next = deadline;
  }
  if (!exited_ && child_.exit_fd() < 0) {
    Clock::time_point check_at = now + exit_check_interval;
    if (!next || check_at < *next) next = check_at;
  }
  if (!next) return -1;
  if (*next <= now) return 0;
  // Round up, so the loop does not wake a hair early and spin once more.
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - now);
  return static_cast<int>(std::min<std::chrono::milliseconds::rep>(wait.count(), 24 * 3600 * 1000));
}

void Supervisor::write_input() {
  while (!input_left_.empty()) {
    ssize_t written = write(ends_.stdin_write.get(), input_left_.data(), input_left_.size());
    if (written > 0) {
      input_left_.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EAGAIN) return;  // pipe full: poll says when there is room
    if (written < 0 && errno == EINTR) continue;
    // EPIPE (or another error): the child closed its stdin without reading
    // it all, which is its right; the rest of the input is not wanted (the
    // SIGPIPE it raised dies with sigpipe_block_).
    break;
  }
  ends_.stdin_write.reset();  // EOF for the child
}

// One read per wakeup: poll() said the pipe holds bytes or is at EOF, so
// the read cannot block (only this process reads it), and a second one
// might; a chatty stream waits for the next wakeup, so it cannot starve
// the other.
void Supervisor::read_output(Source source) {
  UniqueFd& fd = source == Source::stdout_pipe ? ends_.stdout_read : ends_.stderr_read;
  while (true) {
    ssize_t got = read(fd.get(), buffer_.get(), read_chunk);
    if (got > 0) {
      std::string_view bytes(buffer_.get(), static_cast<std::size_t>(got));
      source == Source::stdout_pipe ? output_.stdout_bytes(bytes) : output_.stderr_bytes(bytes);
      return;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;  // a non-blocking end, as a caller may pass
    close_output(source);  // EOF, or an error that makes the pipe unusable
    return;
  }
}

void Supervisor::close_output(Source source) {
  if (source == Source::stdout_pipe) {
    ends_.stdout_read.reset();
    output_.stdout_closed();
  } else {
    ends_.stderr_read.reset();
    output_.stderr_closed();
  }
}

void Supervisor::on_child_exited(Clock::time_point now) {
  exited_ = true;
  ends_.stdin_write.reset();  // nobody will read the rest
  if (ends_.stdout_read || ends_.stderr_read) orphan_kill_at_ = now + limits_.orphan_wait;
}

void Supervisor::check_deadlines(Clock::time_point now) {
  if (timeout_at_ && now >= *timeout_at_) {
    timeout_at_.reset();
    if (!exited_ && !terminating()) begin_termination(Ending::timed_out, now);
  }
  if (kill_at_ && now >= *kill_at_) {
    kill_at_.reset();
    child_.signal_group(SIGKILL);
  }
  if (orphan_kill_at_ && now >= *orphan_kill_at_) {
    orphan_kill_at_.reset();
    sink_.log(ORK_LOG_SYSTEM,
              "the task's main process exited, but processes it started kept its stdout/stderr open; killed "
              "its process group");
    child_.signal_group(SIGKILL);
    abandon_pipes_at_ = now + limits_.orphan_wait;
  }
  if (abandon_pipes_at_ && now >= *abandon_pipes_at_) {
    // Only a process that left the group (setsid) can still hold them.
    abandon_pipes_at_.reset();
    sink_.log(ORK_LOG_SYSTEM,
              "a process outside the task's process group still holds its stdout/stderr open; stopped reading");
    if (ends_.stdout_read) close_output(Source::stdout_pipe);
    if (ends_.stderr_read) close_output(Source::stderr_pipe);
  }
}

void Supervisor::begin_termination(Ending why, Clock::time_point now) {
  ending_ = why;
  if (limits_.kill_grace.count() <= 0) {
    child_.signal_group(SIGKILL);
    return;
  }
  child_.signal_group(SIGTERM);
  kill_at_ = now + limits_.kill_grace;
}

}  // namespace
}  // namespace ork::plugins::process
