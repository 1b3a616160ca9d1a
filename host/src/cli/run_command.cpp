// `ork run FILE`: compile, record the workflow version and a new run, execute
// it with live progress, and print the outcome (or DESIGN §7 JSON).
#include "cli/cli.hpp"
#include "cli/json_views.hpp"
#include "core/error.hpp"
#include "scheduler/run_scheduler.hpp"
#include "types/assignability.hpp"
#include "types/type.hpp"

#include <csignal>
#include <iomanip>
#include <iostream>
#include <pthread.h>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace ork::host {

namespace {

boost::json::object resolve_workflow_inputs(const CompiledWorkflow& workflow, const std::vector<std::string>& given);
std::string new_run_id();
std::string owner_name();

// Prints one line per task event; colours and symbols on a terminal.
class ProgressPrinter final : public RunObserver {
 public:
  explicit ProgressPrinter(std::ostream& out, bool tty) : out_(out), tty_(tty) {}

  void task_started(const std::string& task, int attempt) override {
    out_ << symbol("…", "\033[36m") << " " << task << " started" << (attempt > 1 ? " (attempt " + std::to_string(attempt) + ")" : "")
         << '\n'
         << std::flush;
  }
  void task_finished(const std::string& task, int attempt, const std::string& status, const std::string& error,
                     std::chrono::milliseconds took) override {
    std::string mark = status == "succeeded" ? symbol("✓", "\033[32m")
                       : status == "retrying" ? symbol("↻", "\033[33m")
                                              : symbol("✗", "\033[31m");
    out_ << mark << " " << task << " " << status << " in " << format_duration(took);
    if (attempt > 1) out_ << " (attempt " << attempt << ")";
    if (!error.empty() && status != "succeeded") out_ << ": " << first_line(error);
    out_ << '\n' << std::flush;
  }
  void task_skipped(const std::string& task, const std::string& reason) override {
    out_ << symbol("-", "\033[90m") << " " << task << " skipped: " << reason << '\n' << std::flush;
  }

 private:
  std::string symbol(const std::string& s, const char* colour) const {
    return tty_ ? std::string(colour) + s + "\033[0m" : s;
  }
  static std::string first_line(const std::string& s) {
    auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl) + " …";
  }
  static std::string format_duration(std::chrono::milliseconds d) {
    std::ostringstream o;
    if (d.count() < 1000) {
      o << d.count() << " ms";
    } else {
      o << std::fixed << std::setprecision(2) << d.count() / 1000.0 << " s";
    }
    return o.str();
  }
  std::ostream& out_;
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

  // Blocks the signals in the calling thread; call before any thread starts.
  static void block_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

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

int run_command(CliContext& ctx) {
  const bool json = ctx.cl.has("--json");
  int concurrency = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto c = ctx.cl.value("--concurrency")) {
    try {
      concurrency = std::stoi(*c);
    } catch (const std::exception&) {
      concurrency = 0;
    }
    if (concurrency < 1) throw Error(ErrorKind::usage, "--concurrency needs a positive number, got '" + *c + "'");
  }
  std::optional<CompiledWorkflow> workflow = ctx.compile_or_report();
  if (!workflow) return exit_invalid;
  boost::json::object inputs = resolve_workflow_inputs(*workflow, ctx.cl.values("--input"));

  InterruptWatcher::block_signals();
  Store store = ctx.open_store();
  Millis now = now_millis();
  std::int64_t version = store.save_workflow(workflow->name, workflow->content_hash, workflow->file.string(),
                                             workflow->source, boost::json::serialize(workflow->spec_json()), now);
  NewRun new_run;
  new_run.run_id = new_run_id();
  new_run.workflow_version_id = version;
  new_run.workflow_name = workflow->name;
  new_run.inputs_json = boost::json::serialize(inputs);
  new_run.idempotency_key = ctx.cl.value("--idempotency-key").value_or("");
  new_run.trigger = "cli";
  new_run.owner = owner_name();
  new_run.created_at = now;
  for (const auto& t : workflow->tasks) new_run.task_names.push_back(t.name);
  CreatedRunId created = store.create_run(new_run);

  std::string status;
  bool interrupted = false;
  if (created.existing) {
    if (!json) std::cerr << "ork: run " << created.run_id << " already exists for this idempotency key\n";
    status = store.get_run(created.run_id).run.status;
  } else {
    std::ostream& progress = json ? std::cerr : std::cout;
    const bool tty = !json && isatty(STDOUT_FILENO);
    if (!json) {
      progress << "run " << created.run_id << " of " << workflow->name << " (" << workflow->tasks.size()
               << (workflow->tasks.size() == 1 ? " task" : " tasks") << ", concurrency " << concurrency << ")\n";
    }
    ProgressPrinter printer(progress, tty);
    NullObserver quiet;
    RunScheduler scheduler(*workflow, *ctx.registry, store, RunOptions{created.run_id, concurrency, inputs},
                           json ? static_cast<RunObserver&>(quiet) : printer);
    InterruptWatcher watcher(scheduler);
    status = scheduler.execute();
    interrupted = watcher.interrupted();
  }

  RunDetail detail = store.get_run(created.run_id);
  if (json) {
    std::cout << pretty_json(run_detail_json(detail));
  } else {
    std::map<std::string, int> counts;
    for (const auto& [name, task] : detail.tasks) counts[task.status]++;
    std::cout << "run " << created.run_id << " " << status;
    std::string sep = " (";
    for (const auto& [s, n] : counts) {
      std::cout << sep << n << " " << s;
      sep = ", ";
    }
    std::cout << (counts.empty() ? "" : ")") << "; details: ork tasks " << created.run_id << '\n';
  }
  if (interrupted) return exit_interrupted;
  return status == "succeeded" ? exit_ok : exit_failed;
}

namespace {

boost::json::value parse_input_value(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (!ec) return v;
  return boost::json::value(text);  // not JSON: a plain string
}

boost::json::object resolve_workflow_inputs(const CompiledWorkflow& workflow, const std::vector<std::string>& given) {
  boost::json::object values;
  for (const auto& item : given) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(ErrorKind::usage, "--input needs NAME=VALUE, got '" + item + "'");
    }
    std::string name = item.substr(0, eq);
    auto declared = std::find_if(workflow.inputs.begin(), workflow.inputs.end(),
                                 [&](const WorkflowInput& in) { return in.name == name; });
    if (declared == workflow.inputs.end()) {
      std::string known;
      for (const auto& in : workflow.inputs) known += (known.empty() ? "" : ", ") + in.name;
      throw Error(ErrorKind::usage, "workflow '" + workflow.name + "' has no input '" + name + "'" +
                                        (known.empty() ? " (it declares no inputs)" : " (inputs: " + known + ")"));
    }
    boost::json::value value = parse_input_value(item.substr(eq + 1));
    // `--input id=007` for a `str` input means the text, not the number 7.
    if (declared->type.without_null().kind() == TypeKind::string && !value.is_string() && !value.is_null()) {
      value = boost::json::value(item.substr(eq + 1));
    }
    if (Assignability fit = is_assignable(infer_type(value), declared->type); !fit) {
      throw Error(ErrorKind::usage, "--input " + name + ": " + infer_type(value).to_string() + " does not fit " +
                                        declared->type.to_string() + (fit.plain ? "" : " (" + fit.reason + ")"));
    }
    values[name] = std::move(value);
  }
  for (const auto& in : workflow.inputs) {
    if (values.contains(in.name)) continue;
    if (!in.default_value) {
      throw Error(ErrorKind::usage, "workflow '" + workflow.name + "' needs --input " + in.name + "=VALUE (" +
                                        in.type.to_string() + ")");
    }
    values[in.name] = *in.default_value;
  }
  return values;
}

std::string new_run_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream o;
  o << std::hex << std::setw(12) << std::setfill('0') << (rng() & 0xffffffffffffULL);
  return o.str();
}

std::string owner_name() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

}  // namespace ork::host
