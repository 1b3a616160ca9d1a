// Batches task log lines into the store from one background thread, so that a
// chatty task costs one transaction per batch instead of one per line, while
// a quiet task's line is still stored (and so visible to `ork logs -f`, the
// API, the UI and `ork resume` after a SIGKILL) within ~100 ms of being
// printed: a batch is written when its oldest line has waited the window, or
// when it holds `batch_size` lines, whichever comes first.
// `flush()` returns once everything queued so far is stored (writing it on the
// caller's thread when the background one is idle). The run scheduler instead
// hands the queued lines to its group commit (`take_queued`, `handed_over`),
// which stores them in the transaction that records the attempts' ends, so a
// finished task never has logs missing and pays no transaction of its own for
// them; `ork worker` calls flush() before reporting an attempt's end.
// Included by the run scheduler and `ork worker`.
#pragma once

#include "store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace ork::host {

struct LogBatching {
  // The longest a line waits in memory: what a SIGKILL of ork can lose, and
  // how far `ork logs -f` can lag behind the task.
  std::chrono::milliseconds window{100};
  // A flood is written in batches of this many lines without waiting the window.
  std::size_t batch_size = 2000;
};

// Where batches go: the store in production, a recorder in unit tests.
using LogBatchSink = std::function<void(std::span<const NewLogLine>)>;

class LogWriter {
 public:
  explicit LogWriter(Store& store, LogBatching batching = {});
  LogWriter(LogBatchSink sink, LogBatching batching);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void add(NewLogLine line);
  // Waits until every line added so far is stored. Throws Error(storage) if
  // the store refused a batch: a task must not be recorded as finished with
  // log lines missing.
  void flush();

  // For a transaction that stores the queued lines along with other writes:
  // waits until no batch is being written, then takes every queued line. No
  // later line is written until `handed_over` says how that transaction went
  // (`error` empty: stored), so lines keep their order. Throws Error(storage)
  // if the store refused an earlier batch.
  std::vector<NewLogLine> take_queued();
  void handed_over(std::size_t count, const std::string& error);

  // Transactions this writer wrote itself (its thread's and flush()'s batches).
  std::uint64_t transactions() const;

 private:
  void write_loop();
  void write_queued(std::unique_lock<std::mutex>& lock);

  LogBatchSink sink_;
  LogBatching batching_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::vector<NewLogLine> queue_;
  std::chrono::steady_clock::time_point oldest_queued_at_;  // of queue_.front()
  std::uint64_t queued_ = 0;   // lines ever queued
  std::uint64_t stored_ = 0;   // lines ever written (or dropped on a store error)
  std::uint64_t transactions_ = 0;  // batches this writer wrote itself
  std::string failure_;  // the first store error; lines after it are not stored
  bool stopping_ = false;
  bool writing_ = false;  // a batch is being written (by either thread, or handed over); queue_ holds only later lines
  std::thread thread_;  // last: it starts running in the constructor
};

}  // namespace ork::host
