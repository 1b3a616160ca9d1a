#include "cli/run_support.hpp"

#include "store/json_views.hpp"
#include "scheduler/run_setup.hpp"
#include "workflow/duration.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <csignal>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <set>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace ork::host {

namespace {

// Writes text to a stream from a thread of its own, a batch at a time: the
// threads that run tasks only append to a buffer. A batch is written once
// `delay` has passed since its first line, so a run of 1000 short tasks
// makes a few dozen writes instead of 2000 (each a system call, and a
// wakeup of whoever reads a pipe), while a person watching sees each line
// within the delay. The destructor writes what is left.
class CoalescedWriter {
 public:
  CoalescedWriter(std::ostream& out, std::chrono::milliseconds delay)
      : out_(out), delay_(delay), thread_([this] { write_batches(); }) {}
  ~CoalescedWriter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  CoalescedWriter(const CoalescedWriter&) = delete;
  CoalescedWriter& operator=(const CoalescedWriter&) = delete;

  void append(std::string_view text) {
    bool first = false;
    {
      std::lock_guard lock(mutex_);
      first = pending_.empty();
      pending_.append(text);
    }
    if (first) wake_.notify_one();  // later lines join the batch the writer already waits to write
  }

 private:
  void write_batches() {
    std::string batch;
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;  // stopping, and all written
      wake_.wait_for(lock, delay_, [&] { return stopping_; });
      batch.swap(pending_);
      lock.unlock();
      out_ << batch << std::flush;
      batch.clear();
      lock.lock();
    }
  }

  std::ostream& out_;
  std::chrono::milliseconds delay_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

// Prints one line per task event; colours and symbols on a terminal.
class ProgressPrinter final : public RunObserver {
 public:
  explicit ProgressPrinter(std::ostream& out, bool tty) : writer_(out, std::chrono::milliseconds(20)), tty_(tty) {}

  void task_started(const std::string& task, int attempt) override {
    std::string line = symbol("…", "\033[36m") + " " + task + " started";
    if (attempt > 1) line += " (attempt " + std::to_string(attempt) + ")";
    writer_.append(line += '\n');
  }
  void task_finished(const std::string& task, int attempt, const std::string& status, const std::string& error,
                     std::chrono::milliseconds took) override {
    std::string mark = status == "succeeded" ? symbol("✓", "\033[32m")
                       : status == "cached"  ? symbol("✓", "\033[36m")
                       : status == "retrying" ? symbol("↻", "\033[33m")
                                              : symbol("✗", "\033[31m");
    std::string line = mark + " " + task + " " + status + " in " + format_duration(took);
    if (attempt > 1) line += " (attempt " + std::to_string(attempt) + ")";
    if (!error.empty() && status != "succeeded") line += ": " + first_line(error);
    writer_.append(line += '\n');
  }
  void task_skipped(const std::string& task, const std::string& reason) override {
    writer_.append(symbol("-", "\033[90m") + " " + task + " skipped: " + reason + '\n');
  }

 private:
  std::string symbol(const std::string& s, const char* colour) const {
    return tty_ ? std::string(colour) + s + "\033[0m" : s;
  }
  static std::string first_line(const std::string& s) {
    auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl) + " …";
  }
  // "640 ms", "1.25 s"; without an ostringstream, whose locale set-up cost
  // more than the rest of the line.
  static std::string format_duration(std::chrono::milliseconds d) {
    if (d.count() < 1000) return std::to_string(d.count()) + " ms";
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(d.count()) / 1000.0);
    return text;
  }
  CoalescedWriter writer_;
  bool tty_;
};

// Forwards SIGINT/SIGTERM to the scheduler as a cancellation, from a thread
// of its own: signals stay blocked in every other thread (executors reset the
// mask for the processes they start).
class InterruptWatcher {
 public:
  explicit InterruptWatcher(RunScheduler& scheduler) : scheduler_(scheduler) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);
    thread_ = std::thread([this] { watch(); });
  }
  ~InterruptWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  bool interrupted() const { return interrupted_; }

 private:
  void watch() {
    int sig = 0;
    while (sigwait(&set_, &sig) == 0) {
      if (sig == SIGUSR1) return;
      interrupted_ = true;
      std::cerr << "\nork: interrupted; cancelling the run (running tasks are being stopped)\n";
      scheduler_.cancel();
    }
  }
  RunScheduler& scheduler_;
  sigset_t set_{};
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

}  // namespace

void block_interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int concurrency_option(const CliContext& ctx) {
  auto c = ctx.cl.value("--concurrency");
  if (!c) return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int n = 0;
  try {
    n = std::stoi(*c);
  } catch (const std::exception&) {
    n = 0;
  }
  if (n < 1) throw Error(ErrorKind::usage, "--concurrency needs a positive number, got '" + *c + "'");
  return n;
}

std::optional<std::chrono::milliseconds> timeout_option(const CliContext& ctx) {
  auto text = ctx.cl.value("--timeout");
  if (!text) return std::nullopt;
  std::optional<std::chrono::milliseconds> timeout = parse_duration(*text);
  if (!timeout || timeout->count() <= 0) {
    throw Error(ErrorKind::usage, "--timeout needs a duration longer than 0 such as 500ms, 30s, 10m, 2h or 1d, got '" +
                                      *text + "'");
  }
  return timeout;
}

std::ostream& progress_stream(bool json) { return json ? std::cerr : std::cout; }

void warm_executors(const CompiledWorkflow& workflow, const PluginRegistry& registry) {
  std::set<std::string> warmed;
  for (const CompiledTask& task : workflow.tasks) {
    if (!task.depends_on.empty() || !warmed.insert(task.executor).second) continue;
    const Executor* executor = registry.executor(task.executor);
    if (!executor) continue;
    TaskCheckRequest request;
    request.workflow_name = workflow.name;
    request.workflow_file = workflow.file.string();
    request.workflow_dir = workflow.dir.string();
    request.task_name = task.name;
    request.config_json = boost::json::serialize(task.config);
    request.workdir = task.workdir.string();
    for (const auto& [key, value] : task.env) request.env.push_back(key + "=" + value);
    executor->warm(request);
  }
}

RunOutcome execute_run(const CompiledWorkflow& workflow, const CliContext& ctx, Store& store, RunOptions options,
                       bool json) {
  block_interrupt_signals();
  // With --json, stdout holds only the final object; progress goes to stderr.
  ProgressPrinter printer(progress_stream(json), isatty(json ? STDERR_FILENO : STDOUT_FILENO));
  RunScheduler scheduler(workflow, *ctx.registry, store, std::move(options), printer);
  InterruptWatcher watcher(scheduler);
  RunOutcome outcome;
  outcome.status = scheduler.execute();
  outcome.task_counts = scheduler.task_counts();
  outcome.interrupted = watcher.interrupted();
  return outcome;
}

int report_run(Store& store, const std::string& run_id, bool json, const std::optional<RunOutcome>& outcome) {
  std::string status;
  std::map<std::string, int> counts;
  if (json || !outcome) {
    RunDetail detail = store.get_run(run_id);
    if (json) std::cout << pretty_json(run_detail_json(detail));
    status = detail.run.status;
    for (const auto& [name, task] : detail.tasks) counts[task.status]++;
  } else {
    status = outcome->status;
    counts = outcome->task_counts;
  }
  if (!json) {
    std::cout << "run " << run_id << " " << status;
    std::string sep = " (";
    for (const auto& [s, n] : counts) {
      std::cout << sep << n << " " << s;
      sep = ", ";
    }
    std::cout << (counts.empty() ? "" : ")") << "; details: ork tasks " << run_id << '\n';
  }
  if (outcome && outcome->interrupted) return exit_interrupted;
  return status == "succeeded" ? exit_ok : exit_failed;
}

}  // namespace ork::host
