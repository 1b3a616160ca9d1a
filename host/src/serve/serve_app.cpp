#include "serve/serve_app.hpp"

#include "scheduler/run_setup.hpp"
#include "serve/api_routes.hpp"
#include "workflow/compiler.hpp"

#include <algorithm>

#include <iostream>

namespace ork::host {

namespace {

constexpr auto watch_interval = std::chrono::milliseconds(500);

}  // namespace

ServeApp::ServeApp(const PluginRegistry& plugins, Store store, ServeOptions options)
    : options_(std::move(options)),
      plugins_(plugins),
      store_(std::move(store)),
      catalog_(options_.workflows_directory, plugins),
      launcher_(plugins, store_, options_.concurrency, options_.workers_only),
      schedules_(catalog_, launcher_, store_, options_.clock),
      events_(store_, options_.event_poll_interval) {
  catalog_.refresh();
  Router router = make_api_router(ApiServices{catalog_, schedules_, launcher_, store_, events_});
  for (const Route& route : router.routes()) routes_.emplace_back(route.method, route.pattern);
  http_ = std::make_unique<HttpServer>(std::move(router), options_.http);
}

ServeApp::~ServeApp() { stop(); }

void ServeApp::start() {
  events_.start();
  http_->start();
  resume_orphaned_runs();
  if (options_.run_schedules) schedules_.start();
  watcher_ = std::thread([this] { watch_files(); });
  started_ = true;
}

// Runs whose owner died (its lease expired, or its pid is gone from this
// host) are continued by this server, as `ork resume` would.
void ServeApp::resume_orphaned_runs() {
  if (!store_.supports_ownership()) return;
  try {
    std::vector<std::string> orphaned;
    for (const RunRow& r : store_.orphaned_runs(now_millis())) orphaned.push_back(r.run_id);
    RunFilter filter;
    filter.status = "running";
    filter.limit = 1000;
    for (const RunRow& run : store_.list_runs(filter).runs) {
      std::string dead = provably_dead_owner(run.owner);
      bool expired = std::find(orphaned.begin(), orphaned.end(), run.run_id) != orphaned.end();
      if (!expired && dead.empty()) continue;
      WorkflowVersionRow version = store_.get_workflow_version(run.workflow_version_id);
      CompileResult compiled = compile_workflow_source(version.source, version.file, plugins_);
      if (!compiled.workflow) {
        std::cerr << "ork serve: cannot resume run " << run.run_id << ": its workflow no longer compiles ("
                  << compiled.errors.front().to_string() << ")\n";
        continue;
      }
      if (!store_.claim_run(run.run_id, launcher_.owner(), dead, now_millis(), RunOptions{}.lease.count())) continue;
      std::cerr << "ork serve: resuming run " << run.run_id << " of " << run.workflow << " (its owner "
                << run.owner << " is gone)\n";
      launcher_.resume(std::make_shared<const CompiledWorkflow>(std::move(*compiled.workflow)),
                       store_.get_run(run.run_id));
    }
  } catch (const std::exception& e) {
    std::cerr << "ork serve: could not resume orphaned runs: " << e.what() << '\n';
  }
}

void ServeApp::stop() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard lock(watch_mutex_);
    stopping_ = true;
  }
  watch_wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  schedules_.stop();
  events_.stop();  // ends the event streams, so the HTTP threads can finish
  http_->stop();
  for (const std::string& id : launcher_.active_runs()) launcher_.cancel(id);
  launcher_.wait_idle();
}

// Recompiles changed workflow files and reaps finished runs. Polling
// modification times keeps this portable and is cheap for a few hundred files.
void ServeApp::watch_files() {
  std::unique_lock lock(watch_mutex_);
  while (!watch_wake_.wait_for(lock, watch_interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      if (int changed = catalog_.refresh(); changed > 0) {
        for (const CatalogEntry& entry : catalog_.entries()) {
          if (!entry.errors.empty()) {
            std::cerr << "ork serve: " << entry.file << ": " << entry.errors.size() << " error(s)"
                      << (entry.workflow ? "; still serving its last good version" : "") << '\n';
          }
        }
      }
      launcher_.maintain();
    } catch (const std::exception& e) {
      std::cerr << "ork serve: watching workflows: " << e.what() << '\n';
    }
    lock.lock();
  }
}

}  // namespace ork::host
