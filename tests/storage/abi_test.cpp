// Storage conformance at the byte level: both plugins describe themselves
// alike and answer with the same JSON text, not just equal values.
#include "storage_support.hpp"

#include <string>
#include <vector>

namespace ork::storage_test {
namespace {

class Abi : public StorageTest {};

TEST_P(Abi, DescribesAStoragePluginServingItsSchemes) {
  const ork_plugin_descriptor& descriptor = *load_storage_plugin(GetParam().plugin_path).descriptor;
  EXPECT_EQ(descriptor.api_major, static_cast<uint32_t>(ORK_PLUGIN_API_MAJOR));
  EXPECT_LE(descriptor.min_host_minor, static_cast<uint32_t>(ORK_PLUGIN_API_MINOR));
  EXPECT_EQ(descriptor.name, GetParam().name);
  EXPECT_EQ(descriptor.executor, nullptr);
  ASSERT_NE(descriptor.storage, nullptr);
  ASSERT_GE(descriptor.storage->struct_size, ORK_STRUCT_SIZE(ork_storage_vtable));
  std::vector<std::string> schemes;
  for (const char* const* scheme = descriptor.storage->url_schemes; *scheme; ++scheme) schemes.emplace_back(*scheme);
  const std::vector<std::string> expected = GetParam().name == "sqlite"
                                                ? std::vector<std::string>{"sqlite", "file"}
                                                : std::vector<std::string>{"postgresql", "postgres"};
  EXPECT_EQ(schemes, expected);
}

TEST_P(Abi, AnswersAreTheSameText) {
  create_run("r1", {"b", "a"}, 4242);
  update("r1", "a", 1, "running", 4300);
  update("r1", "a", 1, "succeeded", 4400, R"({"z": [1, 2.5, "x"], "a": null})");
  store().append_logs({{"r1", "a", 1, ORK_LOG_STDERR, 4350, "warming \xFF up"}});
  ASSERT_TRUE(store().claim_run("r1", "host:1", "", 4500, 5000));
  store().request_cancel("r1", 4600);
  store().set_workflow_setting("etl", "paused", "true");

  EXPECT_EQ(store().query(ORK_QUERY_GET_RUN, R"({"run_id":"r"})"),
            R"({"run_id":"r1","workflow":"etl","workflow_version_id":1,"status":"running","inputs":{"n":3},)"
            R"("trigger":"cli","owner":"host:1","idempotency_key":null,"created_at":4242,"started_at":4242,)"
            R"("finished_at":null,"error":null,"task_counts":{"pending":1,"succeeded":1},"tasks":{"b":)"
            R"({"status":"pending","attempts":0,"output":null,"error":null,"started_at":null,"finished_at":null,)"
            R"("next_attempt_at":null},"a":{"status":"succeeded","attempts":1,"output":{"z":[1,2.5E0,"x"],)"
            R"("a":null},"error":null,"started_at":4300,"finished_at":4400,"next_attempt_at":null}},)"
            R"("attempts":[{"task":"a","attempt":1,"status":"succeeded","started_at":4300,"finished_at":4400,)"
            R"("output":{"z":[1,2.5E0,"x"],"a":null},"error":null}]})");
  EXPECT_EQ(store().query(ORK_QUERY_LOGS, R"({"run_id":"r1"})"),
            R"({"lines":[{"id":1,"task":"a","attempt":1,"stream":"stderr","at":4350,)"
            "\"line\":\"warming \xEF\xBF\xBD up\"}],\"next_cursor\":null}");
  EXPECT_EQ(store().renew_leases("host:1", 4700, 5000), R"({"cancel_requested":["r1"]})");
  EXPECT_EQ(store().query(ORK_QUERY_WORKFLOW_SETTINGS, R"({"workflow":"etl"})"), R"({"settings":{"paused":true}})");
  EXPECT_EQ(store().query(ORK_QUERY_EVENTS, R"({"after":3,"limit":1})"),
            R"({"events":[{"seq":4,"run_id":"r1","task":"a","kind":"log","status":null,"at":4350}],"last_seq":4})");
}

INSTANTIATE_TEST_SUITE_P(Backends, Abi, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ork::storage_test
