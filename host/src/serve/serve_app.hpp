// `ork serve` assembled: the workflow catalog (with its file watcher), the
// run launcher, the cron schedule loop, the live event hub and the HTTP
// server, started and stopped in the right order. The CLI command
// (cli/serve_command.cpp) and the API tests both build one of these.
#pragma once

#include "http/event_hub.hpp"
#include "http/http_server.hpp"
#include "serve/run_launcher.hpp"
#include "serve/schedule_loop.hpp"
#include "serve/workflow_catalog.hpp"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

namespace ork::host {

struct ServeOptions {
  HttpServerOptions http;
  std::filesystem::path workflows_directory;
  int concurrency = 4;  // tasks at once per run
  bool workers_only = false;  // tasks go on the store's queue for `ork worker`s
  bool run_schedules = true;
  ScheduleLoop::Clock clock = now_millis;
  std::chrono::milliseconds event_poll_interval{20};
};

class ServeApp {
 public:
  // Compiles the workflows once (so the first request sees them), but
  // starts nothing yet.
  ServeApp(const PluginRegistry& plugins, Store store, ServeOptions options);
  ~ServeApp();
  ServeApp(const ServeApp&) = delete;
  ServeApp& operator=(const ServeApp&) = delete;

  void start();
  void stop();  // idempotent; cancels this server's running runs
  std::uint16_t port() const { return http_->port(); }

  WorkflowCatalog& catalog() { return catalog_; }
  ScheduleLoop& schedules() { return schedules_; }
  RunLauncher& launcher() { return launcher_; }
  Store& store() { return store_; }
  // (method, pattern) of every API route, for the OpenAPI test.
  const std::vector<std::pair<std::string, std::string>>& routes() const { return routes_; }

 private:
  void watch_files();
  void resume_orphaned_runs();

  ServeOptions options_;
  const PluginRegistry& plugins_;
  Store store_;
  WorkflowCatalog catalog_;
  RunLauncher launcher_;
  ScheduleLoop schedules_;
  EventHub events_;
  std::vector<std::pair<std::string, std::string>> routes_;
  std::unique_ptr<HttpServer> http_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread watcher_;
};

}  // namespace ork::host
