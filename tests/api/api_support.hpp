// Helpers for the API tests: an `ork serve` running in-process (the real
// ServeApp on a random loopback port, with the plugins of this build and a
// throw-away SQLite store and workflows folder), a small HTTP client, and a
// Server-Sent Events reader.
#pragma once

#include "e2e_support.hpp"
#include "loader/plugin_loader.hpp"
#include "loader/registry.hpp"
#include "serve/serve_app.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <boost/json.hpp>

#include <condition_variable>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ork::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  boost::json::value json() const;
};

HttpResult http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {});

// Sends `request` (a whole HTTP request, as text) on a fresh connection and
// reads the answer until the server closes it; status -1 when the connection
// was closed without an answer. For requests the HTTP client would fix up
// (no Content-Type, no Content-Length, a foreign Host).
HttpResult raw_http(std::uint16_t port, const std::string& request);

// Plugins of this build, loaded once per test binary.
const host::PluginRegistry& test_plugins();

class ServeFixture {
 public:
  // Writes nothing; call write_workflow() then start().
  ServeFixture();
  ~ServeFixture();
  std::filesystem::path write_workflow(const std::string& relative, const std::string& yaml) const;
  void start(host::ServeOptions options = {});
  host::ServeApp& app() { return *app_; }
  std::uint16_t port() const { return app_->port(); }
  const TempDir& dir() const { return dir_; }
  std::string db() const { return (dir_.path() / ".ork" / "ork.db").string(); }

  HttpResult get(const std::string& path) { return http(port(), "GET", path); }
  HttpResult post(const std::string& path, const std::string& body = "") { return http(port(), "POST", path, body); }
  // Triggers `workflow` and waits until the run has finished; returns its id.
  std::string run_to_end(const std::string& workflow, const std::string& body = "{}");
  // Polls GET /api/runs/{id} until `done(run)` or the timeout (generous).
  boost::json::object wait_for_run(const std::string& run_id, const std::function<bool(const boost::json::object&)>& done,
                                   std::chrono::seconds timeout = std::chrono::seconds(60));

 private:
  TempDir dir_;
  std::unique_ptr<host::ServeApp> app_;
};

// Reads an event stream on its own thread and keeps every event.
class SseReader {
 public:
  struct Event {
    std::string id;
    std::string name;
    boost::json::value data;
  };
  SseReader(std::uint16_t port, const std::string& path, const std::map<std::string, std::string>& headers = {});
  ~SseReader();
  // Waits (up to `timeout`) for an event matching `match`.
  std::optional<Event> wait_for(const std::function<bool(const Event&)>& match,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60));
  int status() const { return status_; }

 private:
  void read_loop(std::uint16_t port, std::string path, std::map<std::string, std::string> headers);
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;
  std::atomic<int> status_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::shared_ptr<Poco::Net::HTTPClientSession> session_;
  std::thread thread_;
};

}  // namespace ork::test
