// Group commit of task state transitions: the scheduler threads of a run hand
// their transitions here, and whatever several threads hand in while a commit
// is being written goes to the store together, in the next single
// transaction. No thread waits longer than before: the first caller to find
// no commit under way writes at once (it leads), and a caller that arrives
// during a commit would have waited for the store's write lock anyway.
// `record` returns only once the caller's transitions are committed, so a
// result is still durable before anything that depends on it starts or is
// reported (docs/reliability.md); when a transaction fails, every caller
// whose transitions it held gets the error, and later callers try again.
//
// Given the run's LogWriter, each transaction also takes the log lines queued
// so far and stores them first, all or none with the transitions: an
// attempt's lines are all queued before its end is handed in, so its end is
// never stored without them, and a finished attempt pays no log transaction
// of its own.
#pragma once

#include "scheduler/log_writer.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <vector>

namespace ork::host {

// Where a batch goes: Store::update_tasks in production, a recorder in tests.
using TransitionSink = std::function<void(std::span<const TaskTransition>)>;
// Where a batch goes with the log lines it took: the lines first, one
// transaction (Store::append_logs_and_update_tasks in production).
using LinesAndTransitionsSink = std::function<void(std::span<const NewLogLine>, std::span<const TaskTransition>)>;

class GroupCommit {
 public:
  explicit GroupCommit(TransitionSink sink);
  // Each transaction also takes the lines queued in `logs` (which outlives this).
  GroupCommit(LinesAndTransitionsSink sink, LogWriter& logs) : sink_(std::move(sink)), logs_(&logs) {}

  // Commits `transitions` (with any others pending), then returns; throws
  // what the sink threw for the transaction that held them.
  void record(std::span<const TaskTransition> transitions);

  // Transactions written so far.
  std::uint64_t transactions() const;
  // Transitions handed in and waiting for the next transaction.
  std::size_t pending() const;

 private:
  // Writes everything pending as batch `next_batch_` (lock held on entry
  // and exit, released while writing).
  void lead(std::unique_lock<std::mutex>& lock);

  // Writes `transitions` with the lines taken from logs_ (if any).
  void write(std::span<const TaskTransition> transitions);

  LinesAndTransitionsSink sink_;
  LogWriter* logs_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable committed_cv_;
  std::vector<TaskTransition> pending_;  // for batch next_batch_
  std::uint64_t next_batch_ = 1;
  std::uint64_t committed_ = 0;  // batches 1..committed_ are written (or failed)
  bool writing_ = false;
  std::map<std::uint64_t, std::exception_ptr> failures_;  // by batch; a failing store stops the run, so few
};

}  // namespace ork::host
