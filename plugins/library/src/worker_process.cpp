#include "worker_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <vector>

#include <ork/limits.h>
#include <ork/task_environment.hpp>

#include "ork_executor/line_splitter.hpp"
#include "ork_executor/sigpipe_block.hpp"
#include "ork_executor/spawn.hpp"

namespace ork::plugins::library {
namespace {

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

// The task's log lines; a line longer than the log limit is handed over in
// pieces, as the python executor does, so none of a worker's output is lost.
executor::LineSplitter log_lines(ork_log_stream stream, const LogForwarder& forward);

Pipe make_pipe();
void set_nonblocking(int fd);
pid_t spawn_worker(const std::filesystem::path& executable, const std::array<int, 4>& child_fds);
int poll_timeout(std::optional<std::chrono::steady_clock::time_point> deadline);
enum class ReadResult { data, would_block, end };
ReadResult read_available(int fd, std::string& into);

}  // namespace

std::unique_ptr<WorkerProcess> WorkerProcess::start(const std::filesystem::path& executable) {
  Pipe requests = make_pipe(), replies = make_pipe(), out = make_pipe(), err = make_pipe();
  // The worker's fds: 0 requests, 1 its stdout, 2 its stderr, 3 replies.
  pid_t pid = spawn_worker(executable, {requests.read_end.get(), out.write_end.get(), err.write_end.get(),
                                        replies.write_end.get()});
  for (int fd : {requests.write_end.get(), replies.read_end.get(), out.read_end.get(), err.read_end.get()}) {
    set_nonblocking(fd);
  }
  return std::make_unique<WorkerProcess>(Passkey(), pid, std::move(requests.write_end), std::move(replies.read_end),
                                         std::move(out.read_end), std::move(err.read_end));
}

WorkerProcess::WorkerProcess(Passkey, pid_t pid, UniqueFd requests, UniqueFd replies, UniqueFd out, UniqueFd err)
    : pid_(pid), requests_(std::move(requests)), replies_(std::move(replies)), out_(std::move(out)),
      err_(std::move(err)) {}

WorkerProcess::~WorkerProcess() {
  requests_.reset();
  ::killpg(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

WorkerProcess::Exchange WorkerProcess::exchange(const WorkerRequest& request,
                                                std::optional<std::chrono::steady_clock::time_point> deadline,
                                                const LogForwarder& forward_log) {
  executor::SigpipeBlock no_sigpipe;  // the worker may die before reading the request
  std::string frame = encode_request(request);
  std::string_view unsent = frame;
  std::string reply_bytes;
  executor::LineSplitter out_lines = log_lines(ORK_LOG_STDOUT, forward_log);
  executor::LineSplitter err_lines = log_lines(ORK_LOG_STDERR, forward_log);
  bool out_open = true, err_open = true, replies_open = true;
  auto drain_logs = [&] {
    std::string bytes;
    if (out_open && read_available(out_.get(), bytes) == ReadResult::end) out_open = false;
    out_lines.feed(bytes);
    bytes.clear();
    if (err_open && read_available(err_.get(), bytes) == ReadResult::end) err_open = false;
    err_lines.feed(bytes);
    out_lines.finish();
    err_lines.finish();
  };
  while (true) {
    std::vector<pollfd> fds{{replies_.get(), POLLIN, 0}};
    if (!unsent.empty()) fds.push_back({requests_.get(), POLLOUT, 0});
    if (out_open) fds.push_back({out_.get(), POLLIN, 0});
    if (err_open) fds.push_back({err_.get(), POLLIN, 0});
    int ready = ::poll(fds.data(), fds.size(), poll_timeout(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll on library worker pipes");
    if (ready == 0) {
      kill();
      drain_logs();
      Exchange timed_out = ended(End::timed_out);
      return timed_out;
    }
    for (const pollfd& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == requests_.get()) {
        ssize_t n = ::write(fd.fd, unsent.data(), unsent.size());
        if (n > 0) unsent.remove_prefix(static_cast<std::size_t>(n));
        if (n < 0 && errno != EAGAIN && errno != EINTR) unsent = {};  // EPIPE: the reply pipe will say why
      } else if (fd.fd == out_.get()) {
        std::string bytes;
        if (read_available(fd.fd, bytes) == ReadResult::end) out_open = false;
        out_lines.feed(bytes);
      } else if (fd.fd == err_.get()) {
        std::string bytes;
        if (read_available(fd.fd, bytes) == ReadResult::end) err_open = false;
        err_lines.feed(bytes);
      } else if (read_available(fd.fd, reply_bytes) == ReadResult::end) {
        replies_open = false;
      }
    }
    if (std::optional<std::string> payload = take_frame(reply_bytes)) {
      // The worker flushed its stdio before replying: its output is in the pipes.
      drain_logs();
      Exchange replied;
      replied.end = End::replied;
      replied.reply = decode_reply(*payload);
      return replied;
    }
    if (!replies_open) {
      drain_logs();
      return ended(killed_ ? End::killed : End::died);
    }
  }
}

bool WorkerProcess::alive() const {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == 0;
}

void WorkerProcess::kill() {
  killed_ = true;
  ::killpg(pid_, SIGKILL);
}

WorkerProcess::Exchange WorkerProcess::ended(End end) {
  Exchange exchange;
  exchange.end = end;
  exchange.death = wait_and_describe();
  return exchange;
}

std::string WorkerProcess::wait_and_describe() {
  siginfo_t info{};
  // WNOWAIT leaves the zombie in place: its pid cannot be reused while a
  // cancelling thread may still signal it.
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0) {
    if (errno != EINTR) return "its exit status is unknown (" + std::string(strerror(errno)) + ")";
  }
  return describe_child_end(info.si_code, info.si_status);
}

std::string describe_child_end(int code, int value) {
  if (code == CLD_EXITED) return "exited with code " + std::to_string(value);
  const char* abbreviation = sigabbrev_np(value);
  std::string name = abbreviation != nullptr ? std::string("SIG") + abbreviation : "signal";
  return "killed by signal " + name + " (" + std::to_string(value) + ")";
}

namespace {

executor::LineSplitter log_lines(ork_log_stream stream, const LogForwarder& forward) {
  return executor::LineSplitter({ORK_MAX_LOG_LINE_BYTES, {}, 0, true},
                                [stream, &forward](std::string_view line, std::size_t) { forward(stream, line); });
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  // Keep every end above 3 so the child's dup2 onto 0..3 never clobbers a
  // source it has yet to copy (a host started with closed stdio hands out 0..2).
  for (UniqueFd* end : {&pipe.read_end, &pipe.write_end}) {
    if (end->get() <= 3) {
      int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, 4);
      if (moved < 0) throw std::system_error(errno, std::generic_category(), "fcntl(F_DUPFD_CLOEXEC)");
      end->reset(moved);
    }
  }
  return pipe;
}

void set_nonblocking(int fd) {
  if (::fcntl(fd, F_SETFL, O_NONBLOCK) != 0) throw std::system_error(errno, std::generic_category(), "fcntl");
}

pid_t spawn_worker(const std::filesystem::path& executable, const std::array<int, 4>& child_fds) {
  executor::SpawnRecipe recipe;
  recipe.program = executable.string();
  recipe.argv = {recipe.program};
  for (int target = 0; target < 4; ++target) recipe.fds.emplace_back(child_fds[static_cast<std::size_t>(target)], target);
  recipe.close_from = 4;
  // Without the host's secrets: the task libraries it loads see its environment.
  recipe.env = ork::plugin::inherited_environment();
  pid_t pid = -1;
  int rc = executor::spawn_process(recipe, pid);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "cannot start library worker " + recipe.program);
  return pid;
}

int poll_timeout(std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(std::min<std::int64_t>(left.count(), INT32_MAX)) : 0;
}

ReadResult read_available(int fd, std::string& into) {
  char chunk[65536];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      into.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return ReadResult::end;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadResult::would_block;
    return ReadResult::end;
  }
}

}  // namespace
}  // namespace ork::plugins::library
