#include "scheduler/log_writer.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace ork::host {

namespace {
// A producer faster than the store waits here instead of growing the queue
// without bound (a task flooding stdout then blocks on its pipe).
constexpr std::size_t max_queued = 20000;
}  // namespace

LogWriter::LogWriter(Store& store, LogBatching batching)
    : LogWriter([&store](std::span<const NewLogLine> lines) { store.append_logs(lines); }, batching) {}

LogWriter::LogWriter(LogBatchSink sink, LogBatching batching)
    : sink_(std::move(sink)), batching_(batching), thread_([this] { write_loop(); }) {}

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
    // The first line of a batch starts its window: the writer thread sleeps
    // until then (or until the batch is full), so it must hear about both.
    if (queue_.empty()) oldest_queued_at_ = std::chrono::steady_clock::now();
    queue_.push_back(std::move(line));
    ++queued_;
    wake = queue_.size() == 1 || queue_.size() >= batching_.batch_size;
  }
  if (wake) wake_.notify_one();
}

void LogWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_;
  for (;;) {
    if (!failure_.empty()) throw Error(ErrorKind::store, "could not record log lines: " + failure_);
    if (stored_ >= target) return;
    if (writing_) {
      written_.wait(lock);  // a batch is under way (the writer thread's or another flush's)
      continue;
    }
    // Every line not yet stored is in queue_, so this thread writes them
    // itself. Handing them to the writer thread and waiting cost two thread
    // switches per finished task, most of a quick task's hop on a loaded
    // machine. One batch is written at a time, so lines keep their order.
    write_queued(lock);
  }
}

std::vector<NewLogLine> LogWriter::take_queued() {
  std::unique_lock lock(mutex_);
  written_.wait(lock, [&] { return !writing_; });  // an earlier batch first: lines keep their order
  if (!failure_.empty()) throw Error(ErrorKind::store, "could not record log lines: " + failure_);
  std::vector<NewLogLine> taken;
  taken.swap(queue_);
  writing_ = !taken.empty();
  return taken;
}

void LogWriter::handed_over(std::size_t count, const std::string& error) {
  if (count == 0) return;
  {
    std::lock_guard lock(mutex_);
    writing_ = false;
    if (!error.empty() && failure_.empty()) failure_ = error;
    stored_ += count;
  }
  written_.notify_all();
  wake_.notify_one();  // lines queued meanwhile, or a stop, for the writer thread
}

std::uint64_t LogWriter::transactions() const {
  std::lock_guard lock(mutex_);
  return transactions_;
}

void LogWriter::write_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return !writing_ && (stopping_ || !queue_.empty()); });
    // Write when the oldest line has waited the window or the batch is full,
    // whichever comes first (flush() writes on its own thread). Counting from
    // the oldest line (not the newest) keeps a steady trickle from postponing
    // writes forever.
    wake_.wait_until(lock, oldest_queued_at_ + batching_.window,
                     [&] { return stopping_ || queue_.size() >= batching_.batch_size; });
    if (queue_.empty() || writing_) {  // a flush() took the batch, or is writing one
      if (stopping_ && !writing_) return;
      continue;
    }
    write_queued(lock);
  }
}

// Writes the queued lines as one batch, with `lock` released meanwhile.
void LogWriter::write_queued(std::unique_lock<std::mutex>& lock) {
  std::vector<NewLogLine> batch;
  batch.swap(queue_);
  writing_ = true;
  lock.unlock();
  std::string error;
  if (failure_.empty()) {
    try {
      sink_(batch);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  lock.lock();
  writing_ = false;
  ++transactions_;
  if (!error.empty() && failure_.empty()) failure_ = error;
  stored_ += batch.size();
  written_.notify_all();
  wake_.notify_one();  // lines queued meanwhile, or a stop, for the writer thread
}

}  // namespace ork::host
