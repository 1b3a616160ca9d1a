#include "scheduler/log_writer.hpp"

#include <chrono>
#include "core/error.hpp"

#include <iostream>

namespace ork::host {

namespace {
constexpr std::size_t batch_size = 2000;
constexpr auto batch_delay = std::chrono::milliseconds(50);
// A producer faster than the store waits here instead of growing the queue
// without bound (a task flooding stdout then blocks on its pipe).
constexpr std::size_t max_queued = 20000;
}  // namespace

LogWriter::LogWriter(Store& store) : store_(store), thread_([this] { write_loop(); }) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LogWriter::add(NewLogLine line) {
  bool wake = false;
  {
    std::unique_lock lock(mutex_);
    if (queue_.size() >= max_queued) {
      wake_.notify_one();
      written_.wait(lock, [&] { return queue_.size() < max_queued || stopping_; });
    }
    queue_.push_back(std::move(line));
    ++queued_;
    wake = queue_.size() >= batch_size;
  }
  if (wake) wake_.notify_one();
}

void LogWriter::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = queued_;
  if (stored_ >= target && failure_.empty()) return;
  if (!failure_.empty()) throw Error(ErrorKind::storage, "could not record log lines: " + failure_);
  flush_wanted_ = true;
  wake_.notify_one();
  written_.wait(lock, [&] { return stored_ >= target; });
  if (!failure_.empty()) throw Error(ErrorKind::storage, "could not record log lines: " + failure_);
}

void LogWriter::write_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    // Wait for a full batch, a flush, or the batch delay after the first line.
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (!stopping_ && queue_.size() < batch_size) {
      wake_.wait_for(lock, batch_delay,
                     [&] { return stopping_ || flush_wanted_ || queue_.size() >= batch_size; });
    }
    if (queue_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::vector<NewLogLine> batch;
    batch.swap(queue_);
    flush_wanted_ = false;
    lock.unlock();
    std::string error;
    if (failure_.empty()) {
      try {
        store_.append_logs(batch);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    lock.lock();
    if (!error.empty() && failure_.empty()) failure_ = error;
    stored_ += batch.size();
    written_.notify_all();
  }
}

}  // namespace ork::host
