// `ork worker` and `ork workers`: the options and the output of the worker
// commands. The worker's loop (claiming attempts from the store's queue and
// executing them) is scheduler/queue_worker.hpp; `ork workers` lists the
// workers that share the store.
#include "cli/cli.hpp"
#include "store/json_views.hpp"
#include "scheduler/run_setup.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"
#include "scheduler/queue_worker.hpp"

#include <csignal>
#include <iomanip>
#include <iostream>
#include <pthread.h>
#include <sstream>
#include <thread>

namespace ork::host {

namespace {

QueueWorkerSettings worker_settings(const CliContext& ctx);
void wait_for_stop_signal();

}  // namespace

int worker_command(CliContext& ctx) {
  Store store = ctx.open_store();
  if (!store.supports_queue()) {
    throw Error(ErrorKind::usage, "the store " + store.url() + " has no queue for workers (its storage plugin "
                                  "predates plugin API 1.3)");
  }
  QueueWorkerSettings settings = worker_settings(ctx);
  std::cout << "ork worker " << settings.name << ": " << settings.slots << " slots, executors ";
  for (std::size_t i = 0; i < settings.executors.size(); ++i) std::cout << (i ? "," : "") << settings.executors[i];
  std::cout << ", store " << store.url() << std::endl;
  QueueWorker worker(*ctx.registry, store, std::move(settings));
  worker.run(wait_for_stop_signal);
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

QueueWorkerSettings worker_settings(const CliContext& ctx) {
  QueueWorkerSettings s;
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
