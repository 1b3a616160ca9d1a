// Unit tests of the HTTP API's router and response helpers (http/router.hpp),
// without a socket.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/router.hpp"

namespace ork::host {
namespace {

boost::json::value parsed_body(const ApiResponse& response) {
  boost::system::error_code error;
  boost::json::value body = boost::json::parse(response.body, error);
  EXPECT_FALSE(error) << error.message() << " in " << response.body;
  return body;
}

// Found by the router fuzz target (tests/fuzz/regressions/router): a request
// path with bytes that are not UTF-8 was echoed into the 404 message, and the
// response body was not JSON.
TEST(ApiResponse, BodiesAreValidJsonWhateverTheBytesOfTheirStrings) {
  Router router;
  router.add("GET", "/api/runs/{id}", [](const ApiRequest&) { return ApiResponse::json(nullptr); });
  ApiRequest request;
  request.method = "POST";
  request.path = "/api/runs/00HXac/n\xb1\xac\x93\xfa";
  try {
    router.match(request);
    FAIL() << "matched";
  } catch (const HttpError& e) {
    ApiResponse response = ApiResponse::error(e.status(), e.what());
    boost::json::value body = parsed_body(response);
    EXPECT_EQ(body.at("error").at("message").as_string(),
              "no API route /api/runs/00HXac/n\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD (see /api/openapi.json)");
  }
  // A log line with a truncated sequence, an overlong form, a surrogate and a
  // code point past U+10FFFF; valid multi-byte text is kept as it is.
  ApiResponse logs = ApiResponse::json(boost::json::object{
      {"line", "caf\xc3\xa9 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98\x80 end\xc3"}});
  EXPECT_EQ(parsed_body(logs).at("line").as_string(),
            "caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xf0\x9f\x98\x80 end\xEF\xBF\xBD");
}

TEST(Router, MatchesPatternsAndRefusesOtherMethods) {
  Router router;
  router.add("GET", "/api/runs/{id}/tasks/{task}/logs", [](const ApiRequest&) { return ApiResponse::json(nullptr); });
  ApiRequest request;
  request.method = "GET";
  request.path = "/api/runs/r%2F1/tasks/t+x/logs";
  EXPECT_EQ(router.match(request).pattern, "/api/runs/{id}/tasks/{task}/logs");
  EXPECT_EQ(request.param("id"), "r/1");
  EXPECT_EQ(request.param("task"), "t x");
  request.method = "POST";
  try {
    router.match(request);
    FAIL() << "matched";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 405);
  }
}

}  // namespace
}  // namespace ork::host
