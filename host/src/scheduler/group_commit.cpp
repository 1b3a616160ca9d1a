#include "scheduler/group_commit.hpp"

namespace ork::host {

GroupCommit::GroupCommit(TransitionSink sink)
    : sink_([sink = std::move(sink)](std::span<const NewLogLine>, std::span<const TaskTransition> transitions) {
        sink(transitions);
      }) {}

void GroupCommit::record(std::span<const TaskTransition> transitions) {
  std::unique_lock lock(mutex_);
  pending_.insert(pending_.end(), transitions.begin(), transitions.end());
  const std::uint64_t mine = next_batch_;
  while (committed_ < mine) {
    if (writing_) {
      committed_cv_.wait(lock);
    } else {
      lead(lock);
    }
  }
  if (auto failed = failures_.find(mine); failed != failures_.end()) std::rethrow_exception(failed->second);
}

std::uint64_t GroupCommit::transactions() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

std::size_t GroupCommit::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void GroupCommit::lead(std::unique_lock<std::mutex>& lock) {
  writing_ = true;
  const std::uint64_t batch = next_batch_++;
  std::vector<TaskTransition> writing;
  writing.swap(pending_);
  lock.unlock();
  std::exception_ptr failure;
  try {
    write(writing);
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  if (failure) failures_.emplace(batch, failure);
  committed_ = batch;
  writing_ = false;
  committed_cv_.notify_all();
}

void GroupCommit::write(std::span<const TaskTransition> transitions) {
  if (!logs_) {
    sink_({}, transitions);
    return;
  }
  const std::vector<NewLogLine> lines = logs_->take_queued();
  try {
    sink_(lines, transitions);
  } catch (const std::exception& e) {
    logs_->handed_over(lines.size(), e.what());
    throw;
  } catch (...) {
    logs_->handed_over(lines.size(), "unknown error");
    throw;
  }
  logs_->handed_over(lines.size(), "");
}

}  // namespace ork::host
