#include "api_support.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

namespace ork::test {

boost::json::value HttpResult::json() const { return parse_json(body); }

HttpResult http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty() || method == "POST") {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  for (const auto& [name, value] : headers) request.set(name, value);
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  HttpResult result;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), result.body);
  result.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[lower] = value;
  }
  return result;
}

HttpResult raw_http(std::uint16_t port, const std::string& request) {
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(10, 0));
  socket.setReceiveTimeout(Poco::Timespan(30, 0));
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string text;
  char buffer[4096];
  try {
    for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  } catch (const Poco::Exception&) {
    // a reset after the answer: keep what arrived
  }
  HttpResult result;
  result.status = -1;
  if (text.starts_with("HTTP/1.") && text.size() > 12) result.status = std::stoi(text.substr(9, 3));
  if (std::size_t end = text.find("\r\n\r\n"); end != std::string::npos) result.body = text.substr(end + 4);
  return result;
}

const host::PluginRegistry& test_plugins() {
  static host::PluginSet plugins = host::PluginSet::load({ORK_PLUGIN_DIR});
  static std::vector<host::RefusedPlugin> refused = plugins.refused();
  static host::PluginRegistry registry(plugins, refused);
  return registry;
}

ServeFixture::ServeFixture() = default;

ServeFixture::~ServeFixture() {
  if (app_) app_->stop();
}

std::filesystem::path ServeFixture::write_workflow(const std::string& relative, const std::string& yaml) const {
  return dir_.write("workflows/" + relative, yaml);
}

void ServeFixture::start(host::ServeOptions options) {
  std::filesystem::create_directories(dir_.path() / "workflows");
  options.http.host = "127.0.0.1";
  options.http.port = 0;
  if (options.workflows_directory.empty()) options.workflows_directory = dir_.path() / "workflows";
  app_ = std::make_unique<host::ServeApp>(test_plugins(), host::Store::open(test_plugins(), db()), options);
  app_->start();
}

std::string ServeFixture::run_to_end(const std::string& workflow, const std::string& body) {
  HttpResult started = post("/api/workflows/" + workflow + "/runs", body);
  EXPECT_EQ(started.status, 201) << started.body;
  std::string id(started.json().at("run_id").as_string());
  wait_for_run(id, [](const boost::json::object& run) {
    const auto& s = run.at("status").as_string();
    return s == "succeeded" || s == "failed" || s == "cancelled";
  });
  return id;
}

boost::json::object ServeFixture::wait_for_run(const std::string& run_id,
                                               const std::function<bool(const boost::json::object&)>& done,
                                               std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    HttpResult r = get("/api/runs/" + run_id);
    if (r.status == 200) {
      boost::json::object run = r.json().as_object();
      if (done(run) || std::chrono::steady_clock::now() > deadline) return run;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

SseReader::SseReader(std::uint16_t port, const std::string& path, const std::map<std::string, std::string>& headers)
    : session_(std::make_shared<Poco::Net::HTTPClientSession>("127.0.0.1", port)) {
  thread_ = std::thread([this, port, path, headers] { read_loop(port, path, headers); });
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::seconds(30), [this] { return connected_.load() || status_ != 0; });
}

SseReader::~SseReader() {
  stop_ = true;
  // Wake the reader with a shutdown, join it, and only then close the socket:
  // closing it while the reader thread is still in recv() is a race (TSan).
  try {
    session_->socket().shutdown();
  } catch (const std::exception&) {
    // never connected, or already closed by the server
  }
  if (thread_.joinable()) thread_.join();
  try {
    session_->socket().close();
  } catch (const std::exception&) {
    // already closed
  }
}

std::optional<SseReader::Event> SseReader::wait_for(const std::function<bool(const Event&)>& match,
                                                     std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<Event> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const Event& e : events_) {
      if (match(e)) {
        found = e;
        return true;
      }
    }
    return false;
  });
  return found;
}

void SseReader::read_loop(std::uint16_t, std::string path, std::map<std::string, std::string> headers) {
  try {
    Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    session_->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    status_ = static_cast<int>(response.getStatus());
    Event current;
    std::string line;
    bool first = true;
    while (!stop_ && std::getline(in, line)) {
      if (first) {  // the server's first comment proves the stream is open
        first = false;
        connected_ = true;
        changed_.notify_all();
      }
      if (line.empty()) {
        if (!current.name.empty()) {
          std::lock_guard lock(mutex_);
          events_.push_back(current);
          changed_.notify_all();
        }
        current = Event{};
      } else if (line.starts_with("id: ")) {
        current.id = line.substr(4);
      } else if (line.starts_with("event: ")) {
        current.name = line.substr(7);
      } else if (line.starts_with("data: ")) {
        current.data = parse_json(line.substr(6));
      }
    }
  } catch (const std::exception&) {
    // aborted by the destructor, or the server went away
  }
  if (status_ == 0) status_ = -1;
  changed_.notify_all();
}

}  // namespace ork::test
