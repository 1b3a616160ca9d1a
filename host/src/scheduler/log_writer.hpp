// Batches task log lines into the store from one background thread, so that a
// chatty task costs one transaction per batch instead of one per line, and
// lines still appear within ~50 ms (for `ork logs -f` and the live UI).
// `flush()` waits until everything queued so far is stored: the scheduler
// calls it before recording a task's final state, so a finished task never
// has logs missing.
#pragma once

#include "store/store.hpp"

#include <condition_variable>
#include <cstdint>
#include <string>
#include <mutex>
#include <thread>
#include <vector>

namespace ork::host {

class LogWriter {
 public:
  explicit LogWriter(Store& store);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void add(NewLogLine line);
  // Waits until every line added so far is stored. Throws Error(storage) if
  // the store refused a batch: a task must not be recorded as finished with
  // log lines missing.
  void flush();

 private:
  void write_loop();

  Store& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::vector<NewLogLine> queue_;
  std::uint64_t queued_ = 0;   // lines ever queued
  std::uint64_t stored_ = 0;   // lines ever written (or dropped on a store error)
  bool flush_wanted_ = false;
  std::string failure_;  // the first store error; lines after it are not stored
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ork::host
