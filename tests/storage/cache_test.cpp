// Storage conformance, plugin API 1.7, for every backend through the C ABI:
// the task cache behind `cache:` — put, lookup (with the ttl's not_before),
// replacement by a newer entry, clear by workflow and in full, and the
// `cached` task status (its output and origin kept like a success). Answers
// are compared as exact text, so both backends must write the same bytes.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage_support.hpp"

namespace ork::storage_test {
namespace {

namespace json = boost::json;

class Cache : public StorageTest {};

TEST_P(Cache, TheStoreHasTheCacheSlots) {
  const ork_storage_vtable& t = *load_storage_plugin(GetParam().plugin_path).descriptor->storage;
  EXPECT_GE(t.struct_size, ORK_STRUCT_SIZE(ork_storage_vtable));
  EXPECT_NE(t.cache_put, nullptr);
  EXPECT_NE(t.cache_lookup, nullptr);
  EXPECT_NE(t.cache_clear, nullptr);
}

TEST_P(Cache, AnEntryIsFoundByItsKeyWithItsOutputAndOrigin) {
  EXPECT_EQ(store().cache_lookup("k1", 0), "{}");
  store().cache_put("k1", "etl", "r1", "extract", 2, R"({"rows":[1,2],"name":"é"})", 5000);
  EXPECT_EQ(store().cache_lookup("k1", 0),
            R"({"key":"k1","workflow":"etl","run_id":"r1","task":"extract","attempt":2,)"
            R"("output":{"rows":[1,2],"name":"é"},"created_at":5000})");
  EXPECT_EQ(store().cache_lookup("k2", 0), "{}");
}

TEST_P(Cache, AnEntryOlderThanNotBeforeIsNotFound) {
  store().cache_put("k1", "etl", "r1", "extract", 1, "3", 5000);
  EXPECT_NE(store().cache_lookup("k1", 5000), "{}");  // exactly as old as allowed
  EXPECT_EQ(store().cache_lookup("k1", 5001), "{}");  // expired
}

TEST_P(Cache, ANewerEntryReplacesTheOldOneAndAnOlderOneDoesNot) {
  store().cache_put("k1", "etl", "r1", "extract", 1, "1", 5000);
  store().cache_put("k1", "etl", "r2", "extract", 1, "2", 6000);
  EXPECT_EQ(store().cache_lookup("k1", 0),
            R"({"key":"k1","workflow":"etl","run_id":"r2","task":"extract","attempt":1,"output":2,"created_at":6000})");
  store().cache_put("k1", "etl", "r0", "extract", 1, "0", 4000);  // a late writer with an older result
  EXPECT_EQ(json::parse(store().cache_lookup("k1", 0)).as_object().at("run_id"), "r2");
}

TEST_P(Cache, ANullOutputIsKept) {
  store().cache_put("k1", "etl", "r1", "notify", 1, "null", 5000);
  EXPECT_EQ(json::parse(store().cache_lookup("k1", 0)).as_object().at("output"), nullptr);
}

TEST_P(Cache, ClearRemovesOneWorkflowsEntriesOrAll) {
  store().cache_put("k1", "etl", "r1", "a", 1, "1", 5000);
  store().cache_put("k2", "etl", "r1", "b", 1, "2", 5000);
  store().cache_put("k3", "report", "r2", "a", 1, "3", 5000);
  EXPECT_EQ(store().cache_clear("nothing-here"), 0);
  EXPECT_EQ(store().cache_clear("etl"), 2);
  EXPECT_EQ(store().cache_lookup("k1", 0), "{}");
  EXPECT_NE(store().cache_lookup("k3", 0), "{}");
  EXPECT_EQ(store().cache_clear(""), 1);
  EXPECT_EQ(store().cache_lookup("k3", 0), "{}");
}

TEST_P(Cache, AnEntryNeedsAKeyAWorkflowARunAndATask) {
  expect_error([&] { store().cache_put("", "etl", "r1", "a", 1, "1", 5000); }, ORK_STATUS_ERROR, "cache_put");
  expect_error([&] { store().cache_put("k1", "etl", "r1", "", 1, "1", 5000); }, ORK_STATUS_ERROR, "cache_put");
}

TEST_P(Cache, EntriesOutliveTheConnectionThatWroteThem) {
  store().cache_put("k1", "etl", "r1", "a", 1, R"([1])", 5000);
  close_store();
  std::unique_ptr<AbiStore> reopened = open_store();
  EXPECT_EQ(json::parse(reopened->cache_lookup("k1", 0)).as_object().at("output"), json::array{1});
}

// The task state that goes with a hit: final, with the output, and the
// origin in `error` (plugin.h), attempt 0 and no attempt row.
TEST_P(Cache, ACachedTaskKeepsItsOutputAndOriginAndIsFinal) {
  create_run("r2", {"extract", "load"});
  update("r2", "extract", 0, "cached", 6000, R"({"rows":3})", R"({"run_id":"r1","task":"extract"})");
  const json::object task = task_of("r2", "extract");
  EXPECT_EQ(task.at("status"), "cached");
  EXPECT_EQ(task.at("output"), (json::object{{"rows", 3}}));
  EXPECT_EQ(task.at("error"), R"({"run_id":"r1","task":"extract"})");
  EXPECT_EQ(task.at("attempts"), 0);
  EXPECT_NE(task.at("finished_at"), nullptr);
  EXPECT_TRUE(get_run("r2").at("attempts").as_array().empty());
  // Final: a late update of an attempt does not move it back.
  update("r2", "extract", 0, "running", 6001);
  EXPECT_EQ(task_of("r2", "extract").at("status"), "cached");
}

INSTANTIATE_TEST_SUITE_P(Backends, Cache, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ork::storage_test
