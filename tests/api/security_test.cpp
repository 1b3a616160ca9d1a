// Who may call the API: the token on every API call when one is configured,
// the refusal to bind a non-loopback address without one, and the pieces
// (loopback detection, token comparison) they rest on.
#include "api_support.hpp"
#include "http/auth.hpp"
#include "workflows.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace ork::test {
namespace {

TEST(Auth, RecognisesLoopbackAddresses) {
  EXPECT_TRUE(host::is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(host::is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(host::is_loopback_host("::1"));
  EXPECT_TRUE(host::is_loopback_host("[::1]"));
  EXPECT_TRUE(host::is_loopback_host("localhost"));
  EXPECT_FALSE(host::is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(host::is_loopback_host("192.168.1.10"));
  EXPECT_FALSE(host::is_loopback_host("example.com"));
}

TEST(Auth, ComparesTokensAndParsesBearerHeaders) {
  EXPECT_TRUE(host::tokens_equal("s3cret", "s3cret"));
  EXPECT_FALSE(host::tokens_equal("s3cret", "s3cres"));
  EXPECT_FALSE(host::tokens_equal("s3cret", "s3cret2"));
  EXPECT_FALSE(host::tokens_equal("s3cret", ""));
  EXPECT_EQ(host::bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(host::bearer_token("bearer  abc "), "abc");
  EXPECT_EQ(host::bearer_token("Basic abc"), std::nullopt);
}

TEST(Auth, EveryApiCallNeedsTheTokenWhenOneIsConfigured) {
  ServeFixture serve;
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  host::ServeOptions options;
  options.http.api_token = "s3cret";
  serve.start(options);

  for (const char* path : {"/api/workflows", "/api/runs", "/api/openapi.json", "/api/workflows/pipeline"}) {
    HttpResult none = serve.get(path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.headers["www-authenticate"], "Bearer realm=\"ork\"");
    EXPECT_EQ(http(serve.port(), "GET", path, "", {{"Authorization", "Bearer wrong"}}).status, 401) << path;
    EXPECT_EQ(http(serve.port(), "GET", path, "", {{"Authorization", "Bearer s3cret"}}).status, 200) << path;
  }
  EXPECT_EQ(serve.post("/api/workflows/pipeline/runs", "{}").status, 401);
  HttpResult runs = http(serve.port(), "GET", "/api/runs", "", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(runs.json().at("runs").as_array().size(), 0u) << "nothing ran without the token";
  EXPECT_EQ(serve.get("/").status, 200) << "the UI page itself holds no data and asks for the token";

  SseReader refused(serve.port(), "/api/events");
  EXPECT_EQ(refused.status(), 401);
  SseReader accepted(serve.port(), "/api/events?access_token=s3cret");
  EXPECT_EQ(accepted.status(), 200);
}

std::string first_line_of(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  char buffer[512] = {0};
  if (!pipe || !fgets(buffer, sizeof buffer, pipe.get())) return "";
  return buffer;
}

TEST(Auth, NonLoopbackBindIsRefusedWithoutAToken) {
  TempDir dir;
  dir.write("flows/chatty.yaml", chatty_yaml);
  CommandResult refused = run_ork({"serve", "--bind", "0.0.0.0:0", "--workflows", "flows"}, dir.path(),
                                  {"ORK_API_TOKEN="});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("without an API token"), std::string::npos) << refused.err;

  // With a token it starts (and `timeout` stops it again).
  std::string line = first_line_of("cd " + dir.path().string() + " && ORK_API_TOKEN=t0k timeout -s INT 3 " +
                                   std::string(ORK_BINARY) + " --db .ork/ork.db serve --bind 0.0.0.0:0 --workflows flows");
  EXPECT_NE(line.find("listening on http://0.0.0.0:"), std::string::npos) << line;
  EXPECT_NE(line.find("API token required"), std::string::npos) << line;
}

}  // namespace
}  // namespace ork::test
