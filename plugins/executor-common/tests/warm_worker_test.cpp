// The warm worker of the python and typescript plugins, driven with a bash
// script that speaks its protocol: the ready message and its version, a
// request answered with the request's log lines on stdout and stderr read
// either from what the pipes hold (python's way) or up to end markers
// (node's way), a worker reused by the pool, and a worker that dies
// described by its exit code and last stderr lines.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "ork_executor/warm_worker.hpp"
#include "ork_executor/warm_worker_pool.hpp"

namespace ork::plugins::executor {
namespace {

using Lines = std::vector<std::pair<ork_log_stream, std::string>>;

const std::string kMarker("\0end\0", 5);

// A worker that answers each request line on fd 3 after printing `prints`
// (a bash snippet; $line is the request).
WorkerCommand worker_running(const std::string& prints, std::string end_marker = {}) {
  WorkerCommand command;
  command.argv = {"/bin/bash", "-c",
                  "printf '{\"type\":\"ready\",\"bash\":\"5.x\"}\\n' >&3\n"
                  "while IFS= read -r line <&3; do\n" +
                      prints +
                      "\n"
                      "  printf '{\"type\":\"result\",\"payload\":true}\\n\"%s\"\\n' \"$line\" >&3\n"
                      "done\n"};
  command.env = {"PATH=/usr/bin:/bin"};
  command.kind = "test";
  command.shown = "bash";
  command.program_shown = "/bin/bash";
  command.version_field = "bash";
  command.end_marker = std::move(end_marker);
  return command;
}

struct Answer {
  std::string payload;
  Lines lines;
  bool drained = false;
};

Answer ask(WarmWorker& worker, const std::string& request) {
  Answer answer;
  LogHandler collect = [&](ork_log_stream stream, std::string_view line) { answer.lines.emplace_back(stream, line); };
  worker.send(request);
  std::optional<Reply> reply = worker.receive(Clock::now() + std::chrono::seconds(30), collect);
  EXPECT_TRUE(reply.has_value());
  if (reply) answer.payload = reply->payload;
  answer.drained = worker.drain_request_logs(Clock::now() + std::chrono::seconds(30), collect);
  return answer;
}

TEST(WarmWorker, StartsAndReadsItsVersionFromTheReadyMessage) {
  std::unique_ptr<WarmWorker> worker = WarmWorker::start(worker_running(":"));
  EXPECT_EQ(worker->version(), "5.x");
  EXPECT_TRUE(worker->alive());
}

TEST(WarmWorker, WithoutMarkersTheRequestsLinesAreWhatThePipesHoldAtTheReply) {
  std::unique_ptr<WarmWorker> worker =
      WarmWorker::start(worker_running("echo \"out $line\"; echo \"err $line\" >&2; printf 'no newline'"));
  for (const std::string request : {"one", "two"}) {
    Answer answer = ask(*worker, request);
    EXPECT_EQ(answer.payload, "\"" + request + "\"");
    EXPECT_TRUE(answer.drained);
    Lines expected{{ORK_LOG_STDOUT, "out " + request}, {ORK_LOG_STDOUT, "no newline"}};
    Lines stderr_lines{{ORK_LOG_STDERR, "err " + request}};
    Lines seen_stdout, seen_stderr;
    for (const auto& line : answer.lines) (line.first == ORK_LOG_STDOUT ? seen_stdout : seen_stderr).push_back(line);
    EXPECT_EQ(seen_stdout, expected);
    EXPECT_EQ(seen_stderr, stderr_lines);
  }
}

TEST(WarmWorker, WithMarkersTheRequestsLinesEndAtTheMarkers) {
  std::unique_ptr<WarmWorker> worker = WarmWorker::start(
      worker_running("echo \"out $line\"; printf 'last\\r\\0end\\0\\n'; printf '\\0end\\0\\n' >&2", kMarker));
  for (const std::string request : {"one", "two"}) {
    Answer answer = ask(*worker, request);
    EXPECT_TRUE(answer.drained);
    EXPECT_EQ(answer.lines, (Lines{{ORK_LOG_STDOUT, "out " + request}, {ORK_LOG_STDOUT, "last"}}));
  }
}

TEST(WarmWorker, AMissingMarkerMeansTheWorkerIsNotReused) {
  std::unique_ptr<WarmWorker> worker = WarmWorker::start(worker_running("printf '\\0end\\0\\n'", kMarker));
  LogHandler ignore;
  worker->send("x");
  ASSERT_TRUE(worker->receive(Clock::now() + std::chrono::seconds(30), ignore).has_value());
  EXPECT_FALSE(worker->drain_request_logs(Clock::now() + std::chrono::milliseconds(200), ignore));
}

TEST(WarmWorker, ADeadWorkerIsDescribedByItsExitAndLastStderrLines) {
  std::unique_ptr<WarmWorker> worker = WarmWorker::start(worker_running("echo \"dying on $line\" >&2; exit 3"));
  try {
    ask(*worker, "purpose");
    FAIL() << "the worker's death went unnoticed";
  } catch (const WorkerDied& died) {
    EXPECT_EQ(std::string(died.what()), "exited with code 3; last stderr lines: dying on purpose");
  }
}

TEST(WarmWorker, AProgramThatCannotStartIsNamedWithTheInstallHint) {
  WorkerCommand command = worker_running(":");
  command.argv[0] = "/nonexistent/worker";
  command.program_shown = "/nonexistent/worker";
  command.install_hint = "; install it";
  try {
    WarmWorker::start(command);
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot start the test worker /nonexistent/worker: No such file or directory; install it");
  }
}

struct Launch {
  std::string name;
  std::string key() const { return name; }
  WorkerCommand command() const { return worker_running(":"); }
};

TEST(WarmWorkerPool, ReusesAWorkerPerLaunchAndStartsAnotherOnlyWhenBusy) {
  WarmWorkerPool pool;
  pid_t first = 0;
  {
    WorkerLease lease = pool.acquire(Launch{"a"});
    first = lease.worker().pid();
    WorkerLease busy = pool.acquire(Launch{"a"});
    EXPECT_NE(busy.worker().pid(), first);
  }
  EXPECT_EQ(pool.idle_count(), 2u);
  EXPECT_EQ(pool.started_count(), 2u);
  {
    WorkerLease again = pool.acquire(Launch{"a"});
    WorkerLease other = pool.acquire(Launch{"b"});  // another launch: its own worker
    other.discard();
  }
  EXPECT_EQ(pool.started_count(), 3u);
  EXPECT_EQ(pool.idle_count(), 2u);  // the discarded one is gone
}

TEST(WarmWorkerPool, AWarmedWorkerServesTheNextAcquire) {
  WarmWorkerPool pool;
  pool.warm(Launch{"a"});
  pool.warm(Launch{"a"});  // one start under way is enough
  WorkerLease lease = pool.acquire(Launch{"a"});
  EXPECT_TRUE(lease.worker().alive());
  EXPECT_EQ(pool.started_count(), 1u);
}

}  // namespace
}  // namespace ork::plugins::executor
