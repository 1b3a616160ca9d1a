// A web page must not be able to drive a loopback `ork serve`: requests for
// another Host (DNS rebinding) are refused, and state-changing calls need a
// JSON Content-Type (which cross-site forms and no-cors fetches cannot send)
// and, when the browser sends an Origin, this server's own.
#include "api_support.hpp"
#include "http/request_guard.hpp"
#include "workflows.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

std::string request_text(const std::string& method, const std::string& path, const std::string& host,
                         const std::vector<std::string>& headers, const std::string& body, bool with_length = true) {
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
  for (const std::string& h : headers) text += h + "\r\n";
  if (with_length) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return text + "\r\n" + body;
}

std::size_t run_count(ServeFixture& serve) { return serve.get("/api/runs").json().at("runs").as_array().size(); }

class RequestGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    serve.write_workflow("pipeline.yaml", pipeline_yaml);
    serve.write_workflow("ticker.yaml", every_minute_yaml);
    host::ServeOptions options;
    options.run_schedules = false;
    options.http.allowed_hosts = {"ork.example", "proxy.example:8443"};
    serve.start(options);
    self = "127.0.0.1:" + std::to_string(serve.port());
  }
  ServeFixture serve;
  std::string self;
};

TEST_F(RequestGuardTest, ForeignHostIsRefusedForReadsAndWrites) {
  const std::string foreign = "attacker.example:" + std::to_string(serve.port());
  HttpResult trigger = raw_http(serve.port(), request_text("POST", "/api/workflows/pipeline/runs", foreign,
                                                           {"Origin: http://" + foreign, "Content-Type: text/plain"}, "{}"));
  EXPECT_EQ(trigger.status, 421) << trigger.body;
  EXPECT_EQ(parse_json(trigger.body).at("error").at("status"), 421);
  HttpResult read = raw_http(serve.port(), request_text("GET", "/api/runs", foreign, {}, ""));
  EXPECT_EQ(read.status, 421) << "a DNS-rebinding page cannot read the API";
  EXPECT_EQ(raw_http(serve.port(), request_text("GET", "/", foreign, {}, "")).status, 421);
  HttpResult wrong_port = raw_http(serve.port(), request_text("GET", "/api/runs", "127.0.0.1:1", {}, ""));
  EXPECT_EQ(wrong_port.status, 421);
  EXPECT_EQ(run_count(serve), 0u);
}

TEST_F(RequestGuardTest, LoopbackNamesAndAllowedHostsAreServed) {
  const std::string port = std::to_string(serve.port());
  for (const std::string& host : {self, "localhost:" + port, "[::1]:" + port, "LOCALHOST:" + port,
                                  std::string("ork.example"), "ork.example:" + port, std::string("proxy.example:8443")}) {
    HttpResult r = raw_http(serve.port(), request_text("GET", "/api/health", host, {}, ""));
    EXPECT_EQ(r.status, 200) << host << ": " << r.body;
  }
  EXPECT_EQ(raw_http(serve.port(), request_text("GET", "/api/health", "proxy.example:9999", {}, "")).status, 421);
  HttpResult proxied = raw_http(serve.port(), request_text("POST", "/api/workflows/pipeline/runs", "ork.example",
                                                           {"Origin: https://ork.example", "Content-Type: application/json"}, "{}"));
  EXPECT_EQ(proxied.status, 201) << proxied.body;
}

TEST_F(RequestGuardTest, StateChangingCallsNeedJsonAndTheirOwnOrigin) {
  HttpResult started = serve.post("/api/workflows/pipeline/runs", "{}");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string run = std::string(started.json().at("run_id").as_string());
  std::size_t runs = run_count(serve);

  for (const std::string& path : {std::string("/api/workflows/pipeline/runs"), std::string("/api/workflows/ticker/pause"),
                                  "/api/runs/" + run + "/cancel"}) {
    HttpResult plain = raw_http(serve.port(), request_text("POST", path, self, {"Content-Type: text/plain"}, "{}"));
    EXPECT_EQ(plain.status, 415) << path << ": " << plain.body;
    HttpResult empty = raw_http(serve.port(), request_text("POST", path, self, {}, ""));
    EXPECT_EQ(empty.status, 415) << path << ": an empty no-cors POST is refused";
    HttpResult form = raw_http(serve.port(), request_text("POST", path, self,
                                                          {"Content-Type: application/x-www-form-urlencoded"}, "a=b"));
    EXPECT_EQ(form.status, 415) << path;
    HttpResult cross = raw_http(serve.port(), request_text("POST", path, self,
                                                           {"Origin: http://attacker.example", "Content-Type: application/json"}, "{}"));
    EXPECT_EQ(cross.status, 403) << path << ": " << cross.body;
    HttpResult opaque = raw_http(serve.port(), request_text("POST", path, self,
                                                            {"Origin: null", "Content-Type: application/json"}, "{}"));
    EXPECT_EQ(opaque.status, 403) << path;
  }
  EXPECT_EQ(run_count(serve), runs) << "no refused call started a run";
  EXPECT_FALSE(serve.get("/api/workflows/ticker").json().at("paused").as_bool()) << "no refused call paused";

  HttpResult same = raw_http(serve.port(), request_text("POST", "/api/workflows/pipeline/runs", self,
                                                        {"Origin: http://" + self, "Content-Type: application/json; charset=utf-8"},
                                                        "{}"));
  EXPECT_EQ(same.status, 201) << same.body;
  HttpResult pause = raw_http(serve.port(), request_text("POST", "/api/workflows/ticker/pause", self,
                                                         {"Content-Type: application/json"}, ""));
  EXPECT_EQ(pause.status, 200) << "an empty JSON POST (ork cancel sends one) is fine: " << pause.body;
  HttpResult no_length = raw_http(serve.port(), request_text("POST", "/api/workflows/ticker/unpause", self,
                                                             {"Content-Type: application/json"}, "", /*with_length=*/false));
  EXPECT_EQ(no_length.status, 411) << "a body that would last until the peer closes is refused";
  // Reads stay open to other origins' navigation (CORS keeps their answers from scripts).
  HttpResult read = raw_http(serve.port(), request_text("GET", "/api/runs", self, {"Origin: http://attacker.example"}, ""));
  EXPECT_EQ(read.status, 200);
}

TEST(RequestGuard, WildcardBindAcceptsAddressesButNotNames) {
  host::Router router;
  router.add("GET", "/api/health", [](const host::ApiRequest&) { return host::ApiResponse::json(true); });
  host::RequestGuardOptions options{"0.0.0.0", 4000, {}, std::nullopt};
  auto status = [&](const std::string& host) {
    host::ApiRequest request;
    request.method = "GET";
    request.path = "/api/health";
    request.headers["host"] = host;
    std::optional<host::ApiResponse> refusal = host::refuse_before_body(options, router, request);
    return refusal ? refusal->status : 200;
  };
  EXPECT_EQ(status("192.168.1.10:4000"), 200);
  EXPECT_EQ(status("[fe80::1]:4000"), 200);
  EXPECT_EQ(status("localhost:4000"), 200);
  EXPECT_EQ(status("evil.example:4000"), 421) << "a rebinding attack always carries a name";
  EXPECT_EQ(status("192.168.1.10:4001"), 421);
  EXPECT_EQ(status("::1:4000"), 421) << "malformed: an IPv6 address needs brackets";
  options.bound_host = "ork-box";
  EXPECT_EQ(status("ork-box:4000"), 200);
  EXPECT_EQ(status("192.168.1.10:4000"), 421);
}

}  // namespace
}  // namespace ork::test
