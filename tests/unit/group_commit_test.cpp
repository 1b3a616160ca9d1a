// Group commit (scheduler/group_commit.hpp): transitions handed in while a
// commit is being written share the next transaction; nobody returns before
// its own transitions are written; a failed transaction fails exactly the
// callers whose transitions it held; with the run's LogWriter, each
// transaction takes the queued log lines along, all or none.
#include "scheduler/group_commit.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ork::host {
namespace {

using namespace std::chrono_literals;

TaskTransition transition(const std::string& task) { return TaskTransition{"r1", task, 1, "running", 1, "", "", 0}; }

// A store whose first transaction blocks until released, so that the test
// knows other callers arrived while it was being written.
class GatedSink {
 public:
  void operator()(std::span<const TaskTransition> transitions) {
    std::unique_lock lock(mutex_);
    std::vector<std::string> names;
    for (const TaskTransition& t : transitions) names.push_back(t.task);
    batches_.push_back(names);
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_ || batches_.size() > 1; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool wait_for_batches(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return batches_.size() >= n; });
  }
  std::vector<std::vector<std::string>> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<std::string>> batches_;
  bool open_ = false;
};

TEST(GroupCommit, TransitionsHandedInDuringACommitShareTheNextTransaction) {
  GatedSink sink;
  GroupCommit commits([&](std::span<const TaskTransition> t) { sink(t); });
  auto first = std::async(std::launch::async, [&] {
    const TaskTransition a = transition("a");
    commits.record({&a, 1});
  });
  ASSERT_TRUE(sink.wait_for_batches(1));  // "a" is being written
  auto second = std::async(std::launch::async, [&] {
    const TaskTransition both[] = {transition("b"), transition("b2")};
    commits.record(both);
  });
  auto third = std::async(std::launch::async, [&] {
    const TaskTransition c = transition("c");
    commits.record({&c, 1});
  });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (commits.pending() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(commits.pending(), 3u);
  // Neither may return before its transitions are written.
  EXPECT_EQ(second.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(third.wait_for(0ms), std::future_status::timeout);
  sink.open();
  first.get();
  second.get();
  third.get();
  std::vector<std::vector<std::string>> batches = sink.batches();
  ASSERT_EQ(batches.size(), 2u) << "b, b2 and c arrived while a was written: one more transaction";
  EXPECT_EQ(batches[0], std::vector<std::string>{"a"});
  std::vector<std::string> second_batch = batches[1];
  std::sort(second_batch.begin(), second_batch.end());
  EXPECT_EQ(second_batch, (std::vector<std::string>{"b", "b2", "c"}));
  EXPECT_EQ(commits.transactions(), 2u);
}

TEST(GroupCommit, ALoneCallerCommitsAtOnce) {
  std::vector<std::size_t> sizes;
  GroupCommit commits([&](std::span<const TaskTransition> t) { sizes.push_back(t.size()); });
  for (int i = 0; i < 3; ++i) {
    const TaskTransition t = transition("t" + std::to_string(i));
    commits.record({&t, 1});
    EXPECT_EQ(sizes.size(), static_cast<std::size_t>(i + 1)) << "written before record returned";
  }
  EXPECT_EQ(commits.transactions(), 3u);
}

TEST(GroupCommit, AFailedTransactionFailsItsCallersOnly) {
  int calls = 0;
  GroupCommit commits([&](std::span<const TaskTransition> t) {
    ++calls;
    if (t.front().task == "bad") throw std::runtime_error("database or disk is full");
  });
  const TaskTransition bad = transition("bad");
  try {
    commits.record({&bad, 1});
    FAIL() << "the store's error must reach the caller";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "database or disk is full");
  }
  const TaskTransition good = transition("good");
  EXPECT_NO_THROW(commits.record({&good, 1})) << "the next transaction is tried again";
  EXPECT_EQ(calls, 2);
}

NewLogLine log_line(const std::string& task, const std::string& text) {
  return NewLogLine{"r1", task, 1, ORK_LOG_STDOUT, 1, text};
}

// Given the run's LogWriter, a transaction takes the lines queued so far and
// writes them first, in the same sink call: an attempt's last lines and its
// end are stored together, and the writer has nothing left to write.
TEST(GroupCommit, ATransactionTakesTheQueuedLogLinesWithItsTransitions) {
  std::vector<std::string> written_alone;
  LogWriter logs([&](std::span<const NewLogLine> lines) {
    for (const NewLogLine& l : lines) written_alone.push_back(l.line);
  }, LogBatching{std::chrono::hours(1), 2000});
  std::vector<std::string> calls;
  GroupCommit commits([&](std::span<const NewLogLine> lines, std::span<const TaskTransition> transitions) {
    std::string call;
    for (const NewLogLine& l : lines) call += "line:" + l.line + " ";
    for (const TaskTransition& t : transitions) call += "end:" + t.task + " ";
    calls.push_back(call);
  }, logs);
  logs.add(log_line("a", "one"));
  logs.add(log_line("a", "two"));
  const TaskTransition end = transition("a");
  commits.record({&end, 1});
  const TaskTransition next = transition("b");
  commits.record({&next, 1});
  logs.flush();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], "line:one line:two end:a ");
  EXPECT_EQ(calls[1], "end:b ");
  EXPECT_TRUE(written_alone.empty()) << "no line is written twice, nor in a transaction of its own";
  EXPECT_EQ(logs.transactions(), 0u);
}

// All or none: when the transaction fails, its lines are lost with it, and
// the writer reports the failure (a run stops on it) instead of storing
// later lines as if nothing happened.
TEST(GroupCommit, AFailedTransactionFailsTheLogLinesItTook) {
  LogWriter logs([](std::span<const NewLogLine>) {}, LogBatching{std::chrono::hours(1), 2000});
  GroupCommit commits([](std::span<const NewLogLine>, std::span<const TaskTransition>) {
    throw std::runtime_error("database or disk is full");
  }, logs);
  logs.add(log_line("a", "one"));
  const TaskTransition end = transition("a");
  EXPECT_THROW(commits.record({&end, 1}), std::runtime_error);
  EXPECT_THROW(logs.flush(), Error);
}

}  // namespace
}  // namespace ork::host
