// Workflow inputs given through the API (POST /api/workflows/W/runs, which
// the UI's run form posts to): ISO-8601 text is accepted for `date` inputs and
// malformed text is a 400 naming the expected format; every bad input is
// reported at once, by field, for the form to mark each; the workflow page
// gets each input's form kind and description.
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

const char* const typed_yaml = R"(name: typed
inputs:
  count: {type: int}
  ratio: {type: float, default: 0.5, description: "share of rows to keep"}
  full: {type: bool, default: false}
tasks:
  show: {executor: process, command: cat}
)";

TEST(ApiInputs, EveryBadInputIsReportedByField) {
  ServeFixture serve;
  serve.write_workflow("typed.yaml", typed_yaml);
  serve.start();
  HttpResult bad = serve.post("/api/workflows/typed/runs", R"({"inputs": {"ratio": "x1", "full": "yes", "nope": 1}})");
  ASSERT_EQ(bad.status, 400) << bad.body;
  const boost::json::value answer = bad.json();
  const boost::json::object& fields = answer.at("error").at("fields").as_object();
  EXPECT_EQ(fields.size(), 4u) << bad.body;
  for (const char* name : {"count", "ratio", "full", "nope"}) EXPECT_TRUE(fields.contains(name)) << name << ": " << bad.body;
  EXPECT_NE(std::string(fields.at("count").as_string()).find("required"), std::string::npos) << bad.body;
  EXPECT_EQ(serve.get("/api/runs").json().at("runs").as_array().size(), 0u) << "nothing started";

  const boost::json::value wf = serve.get("/api/workflows/typed").json();
  const boost::json::array& inputs = wf.at("inputs").as_array();
  EXPECT_EQ(inputs.at(0).at("kind"), "int");
  EXPECT_EQ(inputs.at(1).at("kind"), "float");
  EXPECT_EQ(inputs.at(1).at("description"), "share of rows to keep");
  EXPECT_EQ(inputs.at(2).at("kind"), "bool");
}

}  // namespace
}  // namespace ork::test
