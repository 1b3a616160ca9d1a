// The log writer's batching: a lone line is written once it has waited the
// window (without anyone flushing), a flood is written in full batches
// without waiting the window, and a steady trickle of lines does not keep
// postponing the write; flush() writes on its caller's thread when the writer
// thread is idle, and lines stay complete and in order when flushes and the
// writer thread race. Batches go to a recorder instead of a store.
#include "scheduler/log_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace ork::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Keeps what the writer hands over, and when.
class BatchRecorder {
 public:
  LogBatchSink sink() {
    return [this](std::span<const NewLogLine> lines) {
      EXPECT_FALSE(in_sink_.exchange(true)) << "two batches written at once";
      std::this_thread::yield();  // gives a second writer the chance to show up
      std::lock_guard lock(mutex_);
      in_sink_ = false;
      sizes_.push_back(lines.size());
      total_ += lines.size();
      for (const NewLogLine& line : lines) texts_.push_back(line.line);
      threads_.push_back(std::this_thread::get_id());
      changed_.notify_all();
    };
  }

  std::vector<std::string> texts() {
    std::lock_guard lock(mutex_);
    return texts_;
  }

  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }

  // Waits (at most `limit`) until `lines` lines were written in all.
  bool wait_for(std::size_t lines, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return total_ >= lines; });
  }

  std::size_t total() {
    std::lock_guard lock(mutex_);
    return total_;
  }

  std::vector<std::size_t> sizes() {
    std::lock_guard lock(mutex_);
    return sizes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::size_t> sizes_;
  std::vector<std::string> texts_;
  std::vector<std::thread::id> threads_;
  std::size_t total_ = 0;
  std::atomic<bool> in_sink_{false};
};

NewLogLine line(int n) { return NewLogLine{"r1", "t", 1, ORK_LOG_STDOUT, 0, "line " + std::to_string(n)}; }

TEST(LogWriter, ALoneLineIsWrittenOnceItHasWaitedTheWindowWithoutAFlush) {
  BatchRecorder recorder;
  LogWriter writer(recorder.sink(), LogBatching{50ms, 2000});
  auto added_at = Clock::now();
  writer.add(line(1));
  ASSERT_TRUE(recorder.wait_for(1, 10s)) << "a line that no batch fills must still be written";
  EXPECT_GE(Clock::now() - added_at, 50ms) << "lines are batched for the window, not written one by one";
  EXPECT_EQ(recorder.sizes(), std::vector<std::size_t>{1});
}

TEST(LogWriter, AFloodIsWrittenInFullBatchesWithoutWaitingTheWindow) {
  BatchRecorder recorder;
  LogWriter writer(recorder.sink(), LogBatching{std::chrono::hours(1), 100});
  for (int i = 0; i < 250; ++i) writer.add(line(i));
  // However the writer's wake-ups interleave with the adds, at least 150 lines
  // form full batches (a first batch of k >= 100 lines leaves 250 - k, a full
  // batch again when k <= 150); only a last partial batch may wait.
  ASSERT_TRUE(recorder.wait_for(150, 10s)) << "full batches must not wait the hour-long window";
  for (std::size_t size : recorder.sizes()) EXPECT_GE(size, 100u) << "a flood is not written line by line";
  writer.flush();
  EXPECT_EQ(recorder.total(), 250u);
  // Fewer lines than a batch wait for the window (or a flush).
  for (int i = 0; i < 10; ++i) writer.add(line(i));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(recorder.total(), 250u);
  writer.flush();
  EXPECT_EQ(recorder.total(), 260u);
}

TEST(LogWriter, ASteadyTrickleDoesNotPostponeTheWrite) {
  // The window counts from the oldest queued line: a task printing every 5 ms
  // must see its lines written while it keeps printing, not only when it stops.
  BatchRecorder recorder;
  LogWriter writer(recorder.sink(), LogBatching{50ms, 2000});
  auto until = Clock::now() + 1s;
  int added = 0;
  while (Clock::now() < until) {
    writer.add(line(added++));
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GT(recorder.total(), 0u) << "nothing written during 1 s of lines every 5 ms (window 50 ms)";
  EXPECT_GE(recorder.sizes().size(), 2u);
  writer.flush();
  EXPECT_EQ(recorder.total(), static_cast<std::size_t>(added));
}

TEST(LogWriter, AFlushWithTheWriterThreadIdleWritesOnTheCallersThread) {
  BatchRecorder recorder;
  LogWriter writer(recorder.sink(), LogBatching{std::chrono::hours(1), 2000});
  writer.add(line(1));
  writer.add(line(2));
  writer.flush();
  EXPECT_EQ(recorder.texts(), (std::vector<std::string>{"line 1", "line 2"}));
  EXPECT_EQ(recorder.threads(), std::vector<std::thread::id>{std::this_thread::get_id()});
  writer.flush();  // nothing queued: nothing written
  EXPECT_EQ(recorder.sizes(), std::vector<std::size_t>{2});
}

TEST(LogWriter, RacingFlushesAndTheWriterThreadKeepEveryLineInOrder) {
  // Four "tasks" each print lines and flush when they finish, while the
  // writer thread's 1 ms window keeps it writing too.
  BatchRecorder recorder;
  LogWriter writer(recorder.sink(), LogBatching{1ms, 7});
  constexpr int kThreads = 4;
  constexpr int kLines = 300;
  std::vector<std::thread> tasks;
  for (int t = 0; t < kThreads; ++t) {
    tasks.emplace_back([&writer, t] {
      for (int i = 0; i < kLines; ++i) {
        writer.add(NewLogLine{"r1", "t" + std::to_string(t), 1, ORK_LOG_STDOUT, 0, std::to_string(t) + " " +
                                                                                       std::to_string(i)});
        if (i % 3 == 0) writer.flush();
      }
      writer.flush();
    });
  }
  for (std::thread& task : tasks) task.join();
  std::vector<std::string> texts = recorder.texts();
  ASSERT_EQ(texts.size(), static_cast<std::size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const std::string& text : texts) {
    int t = std::stoi(text.substr(0, text.find(' ')));
    EXPECT_EQ(std::stoi(text.substr(text.find(' ') + 1)), next[t]) << "lines of one task out of order";
    ++next[t];
  }
}

}  // namespace
}  // namespace ork::host
