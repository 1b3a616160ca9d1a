// The log writer's batching: a lone line is written once it has waited the
// window (without anyone flushing), a flood is written in full batches
// without waiting the window, and a steady trickle of lines does not keep
// postponing the write. Batches go to a recorder instead of a store.
#include "scheduler/log_writer.hpp"

#include <gtest/gtest.h>

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
      std::lock_guard lock(mutex_);
      sizes_.push_back(lines.size());
      total_ += lines.size();
      changed_.notify_all();
    };
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
  std::size_t total_ = 0;
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

}  // namespace
}  // namespace ork::host
