// Workflow inputs given through the API (POST /api/workflows/W/runs, which
// the UI's run form posts to): ISO-8601 text is accepted for `date` inputs and
// malformed text is a 400 naming the expected format.
#include "api_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

const char* const dated_yaml = R"(name: dated
inputs:
  since: {type: date}
tasks:
  show:
    executor: process
    command: cat >/dev/null; echo 'ORK_OUTPUT:1'
    inputs: {since: {input: since}}
    input_type: {since: date}
)";

TEST(ApiInputs, IsoDateTextFitsADateInput) {
  ServeFixture serve;
  serve.write_workflow("dated.yaml", dated_yaml);
  serve.start();
  std::string id = serve.run_to_end("dated", R"({"inputs": {"since": "2024-05-01"}})");
  boost::json::object run = serve.get("/api/runs/" + id).json().as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("inputs").at("since"), "2024-05-01");

  HttpResult bad = serve.post("/api/workflows/dated/runs", R"({"inputs": {"since": "May 1st"}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(std::string(bad.json().at("error").at("message").as_string())
                .find("\"May 1st\" is not a date: write it as YYYY-MM-DD"),
            std::string::npos)
      << bad.body;
}

}  // namespace
}  // namespace ork::test
