// `ork worker`: claims task attempts from the store's queue (plugin API 1.3)
// and runs them with this machine's executor plugins; `ork workers` lists
// the workers that share the store. Runs are queued by `ork run
// --workers-only`, whose process schedules while workers execute.
#include "cli/cli.hpp"
#include "store/json_views.hpp"
#include "scheduler/run_setup.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"
#include "scheduler/attempt_policy.hpp"
#include "scheduler/log_writer.hpp"

#include <atomic>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <pthread.h>
#include <sstream>
#include <thread>

namespace ork::host {

namespace {

struct WorkerSettings {
  std::string name;
  std::vector<std::string> executors;
  int slots = 1;
  std::chrono::milliseconds lease{10000};
};

WorkerSettings worker_settings(const CliContext& ctx);
void wait_for_stop_signal();

// What the worker's threads share: the store, its log writer, and the
// attempts running now (queue id -> executor + token) for cancellation.
class WorkerLoop {
 public:
  WorkerLoop(const CliContext& ctx, Store& store, WorkerSettings settings)
      : ctx_(ctx), store_(store), settings_(std::move(settings)), logs_(store) {
    for (std::size_t i = 0; i < settings_.executors.size(); ++i) {
      executor_list_ += (i ? "," : "") + settings_.executors[i];
    }
  }

  void run() {
    std::vector<std::thread> threads;
    for (int i = 0; i < settings_.slots; ++i) threads.emplace_back([this] { claim_and_run(); });
    std::thread heartbeat([this] { beat(); });
    wait_for_stop_signal();
    std::cerr << "ork worker " << settings_.name << ": stopping after the attempts it runs\n";
    stopping_ = true;
    for (auto& t : threads) t.join();
    heartbeat.join();
  }

 private:
  // Claims the oldest attempt this worker can run; while the queue is empty
  // it waits for the store's notification (PostgreSQL), else for a growing
  // pause (2 ms up to 50 ms).
  void claim_and_run() {
    auto pause = std::chrono::milliseconds(2);
    while (!stopping_) {
      std::optional<ClaimedAttempt> claimed;
      try {
        claimed = store_.claim_attempt(settings_.name, executor_list_, now_millis(), settings_.lease.count());
      } catch (const std::exception& e) {
        std::cerr << "ork worker: " << e.what() << '\n';
      }
      if (!claimed) {
        try {
          store_.wait_for_queue(pause);  // PostgreSQL wakes us when an attempt is queued
        } catch (const std::exception& e) {
          std::this_thread::sleep_for(pause);
        }
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
        continue;
      }
      pause = std::chrono::milliseconds(2);
      execute(*claimed);
    }
  }

  void execute(const ClaimedAttempt& claimed) {
    const Executor* executor = ctx_.registry->executor(claimed.executor);
    ExecutorRunResult result;
    if (!executor) {
      result = {ORK_TASK_FAILED, "", "worker " + settings_.name + " has no executor '" + claimed.executor + "'"};
    } else {
      ExecutorRunRequest request = request_of(claimed);
      {
        std::lock_guard lock(mutex_);
        running_[claimed.id] = {executor, request.attempt_token};
      }
      // The same log budget as under `ork run`.
      result = run_within_log_budget(*executor, request, [&](ork_log_stream stream, std::string_view line) {
        logs_.add(NewLogLine{claimed.run_id, claimed.task, claimed.attempt, stream, now_millis(), std::string(line)});
      });
      std::lock_guard lock(mutex_);
      running_.erase(claimed.id);
    }
    try {
      logs_.flush();
      store_.complete_attempt(claimed.id, settings_.name, result.outcome, result.output_json, result.error,
                              now_millis());
    } catch (const std::exception& e) {
      // Its lease will expire and another worker will run the attempt again.
      std::cerr << "ork worker: could not record the result of " << claimed.run_id << "/" << claimed.task << ": "
                << e.what() << '\n';
    }
  }

  ExecutorRunRequest request_of(const ClaimedAttempt& claimed) {
    const boost::json::object& p = claimed.payload;
    auto text = [&](const char* key) {
      auto* v = p.if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    ExecutorRunRequest r;
    r.attempt_token = next_token_++;
    r.workflow_name = text("workflow_name");
    r.workflow_file = text("workflow_file");
    r.workflow_dir = text("workflow_dir");
    r.task_name = claimed.task;
    r.config_json = text("config_json");
    r.run_id = claimed.run_id;
    r.attempt = claimed.attempt;
    r.input_json = text("input_json");
    r.workdir = text("workdir");
    if (auto* env = p.if_contains("env"); env && env->is_array()) {
      for (const auto& e : env->as_array()) {
        if (e.is_string()) r.env.emplace_back(e.as_string());
      }
    }
    r.env.push_back("ORK_WORKER=" + settings_.name);
    if (auto* t = p.if_contains("timeout_ms"); t && t->is_int64()) r.timeout = std::chrono::milliseconds(t->as_int64());
    return r;
  }

  // Renews the leases of this worker's claims every lease/4 and stops the
  // attempts whose cancellation was asked.
  void beat() {
    while (!stopping_) {
      try {
        boost::json::array executors;
        for (const auto& e : settings_.executors) executors.emplace_back(e);
        std::size_t running = 0;
        {
          std::lock_guard lock(mutex_);
          running = running_.size();
        }
        boost::json::object info{{"executors", std::move(executors)}, {"slots", settings_.slots},
                                 {"running", running}};
        for (std::int64_t id : store_.worker_heartbeat(settings_.name, info, now_millis(), settings_.lease.count())) {
          std::lock_guard lock(mutex_);
          if (auto it = running_.find(id); it != running_.end()) it->second.first->cancel(it->second.second);
        }
      } catch (const std::exception& e) {
        std::cerr << "ork worker: heartbeat failed: " << e.what() << '\n';
      }
      for (int i = 0; i < 10 && !stopping_; ++i) std::this_thread::sleep_for(settings_.lease / 40);
    }
  }

  const CliContext& ctx_;
  Store& store_;
  WorkerSettings settings_;
  std::string executor_list_;
  LogWriter logs_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_token_{1};
  std::mutex mutex_;
  std::map<std::int64_t, std::pair<const Executor*, std::uint64_t>> running_;
};

}  // namespace

int worker_command(CliContext& ctx) {
  Store store = ctx.open_store();
  if (!store.supports_queue()) {
    throw Error(ErrorKind::usage, "the store " + store.url() + " has no queue for workers (its storage plugin "
                                  "predates plugin API 1.3)");
  }
  WorkerSettings settings = worker_settings(ctx);
  std::cout << "ork worker " << settings.name << ": " << settings.slots << " slots, executors ";
  for (std::size_t i = 0; i < settings.executors.size(); ++i) std::cout << (i ? "," : "") << settings.executors[i];
  std::cout << ", store " << store.url() << std::endl;
  WorkerLoop loop(ctx, store, std::move(settings));
  loop.run();
  return exit_ok;
}

int workers_command(CliContext& ctx) {
  Store store = ctx.open_store();
  std::vector<WorkerRow> rows = store.workers(now_millis());
  if (ctx.cl.has("--json")) {
    boost::json::array out;
    for (const auto& w : rows) {
      out.push_back(boost::json::object{{"name", w.name},
                                        {"alive", w.alive},
                                        {"last_heartbeat", time_json(w.last_heartbeat)},
                                        {"claimed", w.claimed},
                                        {"info", w.info}});
    }
    std::cout << pretty_json(boost::json::object{{"workers", std::move(out)}});
    return exit_ok;
  }
  if (rows.empty()) {
    std::cout << "no workers have reported to this store\n";
    return exit_ok;
  }
  std::cout << std::left << std::setw(32) << "WORKER" << std::setw(8) << "ALIVE" << std::setw(26) << "LAST HEARTBEAT"
            << std::setw(9) << "RUNNING" << std::setw(7) << "SLOTS" << "EXECUTORS\n";
  for (const auto& w : rows) {
    // What the worker reported in its last heartbeat ({"executors", "slots"}).
    const boost::json::object* info = w.info.if_object();
    const boost::json::value* slots = info ? info->if_contains("slots") : nullptr;
    const boost::json::value* executors = info ? info->if_contains("executors") : nullptr;
    std::string executor_list;
    if (executors && executors->is_array()) {
      for (const auto& e : executors->get_array()) {
        if (e.is_string()) executor_list += (executor_list.empty() ? "" : ",") + std::string(e.get_string());
      }
    }
    std::cout << std::setw(32) << w.name << std::setw(8) << (w.alive ? "yes" : "no") << std::setw(26)
              << iso8601(w.last_heartbeat) << std::setw(9) << w.claimed << std::setw(7)
              << (slots && slots->is_int64() ? std::to_string(slots->get_int64()) : "?")
              << (executor_list.empty() ? "?" : executor_list) << "\n";
  }
  return exit_ok;
}

namespace {

WorkerSettings worker_settings(const CliContext& ctx) {
  WorkerSettings s;
  s.name = ctx.cl.value("--name").value_or(owner_name());
  std::vector<std::string> loaded = ctx.registry->executor_names();
  if (auto list = ctx.cl.value("--executors")) {
    std::stringstream in(*list);
    for (std::string name; std::getline(in, name, ',');) {
      if (name.empty()) continue;
      if (std::find(loaded.begin(), loaded.end(), name) == loaded.end()) {
        throw Error(ErrorKind::usage, "--executors: no executor '" + name + "' is loaded here (see `ork plugins`)");
      }
      s.executors.push_back(name);
    }
  } else {
    s.executors = loaded;
  }
  if (s.executors.empty()) throw Error(ErrorKind::usage, "ork worker needs at least one executor");
  s.slots = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto v = ctx.cl.value("--slots")) {
    s.slots = std::atoi(v->c_str());
    if (s.slots < 1) throw Error(ErrorKind::usage, "--slots needs a positive number, got '" + *v + "'");
  }
  if (const char* lease = std::getenv("ORK_WORKER_LEASE_MS"); lease && *lease) {
    s.lease = std::chrono::milliseconds(std::max(200L, std::atol(lease)));
  }
  return s;
}

// The signals were blocked before any thread started (run_cli); wait here.
void wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace

}  // namespace ork::host
