// The built ork_storage_sqlite.so driven through its C ABI only, as the host
// loads it: dlopen, ork_plugin_describe, a fake ork_host_api, then the
// storage vtable for the main flow and its error statuses.
#include <gtest/gtest.h>

#include <ork/plugin.h>

#include <boost/json.hpp>

#include <dlfcn.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

// The host's error slot is opaque to plugins; this fake host gives it a body.
struct ork_error {
  std::string message;
};

namespace ork::plugins::sqlite {
namespace {

using testing::TempDir;

ork_str s(std::string_view text) { return ork_str{text.data(), text.size()}; }

void capture_string(void* ctx, ork_str text) { static_cast<std::string*>(ctx)->assign(text.ptr, text.len); }

void fake_set_error(ork_error* slot, ork_str message) {
  if (slot) slot->message.assign(message.ptr, message.len);
}

void fake_log(int, ork_str) {}

const ork_host_api fake_host = {ORK_STRUCT_SIZE(ork_host_api), ORK_PLUGIN_API_MAJOR, ORK_PLUGIN_API_MINOR,
                                &fake_set_error, &fake_log};

class PluginAbi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Plugins are never unloaded before exit, so neither is this one.
    void* library = ::dlopen(ORK_SQLITE_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library, nullptr) << ::dlerror();
    auto describe = reinterpret_cast<ork_plugin_describe_fn>(::dlsym(library, ORK_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(describe, nullptr) << ::dlerror();
    descriptor_ = describe();
    ork_error err;
    ASSERT_EQ(descriptor_->init(&fake_host, &state_, &err), ORK_STATUS_OK) << err.message;
  }

  const ork_storage_vtable& storage() const { return *descriptor_->storage; }

  void* open(const std::string& url) {
    void* store = nullptr;
    ork_error err;
    EXPECT_EQ(storage().open(state_, s(url), &store, &err), ORK_STATUS_OK) << err.message;
    return store;
  }

  ork_status query(void* store, ork_query_kind kind, std::string_view params, std::string* answer, ork_error* err) {
    const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), answer, &capture_string};
    return storage().query(store, kind, s(params), &sink, err);
  }

  static inline const ork_plugin_descriptor* descriptor_ = nullptr;
  static inline void* state_ = nullptr;
  TempDir dir_;
};

TEST_F(PluginAbi, DescribesAStoragePlugin) {
  EXPECT_EQ(descriptor_->struct_size, ORK_STRUCT_SIZE(ork_plugin_descriptor));
  EXPECT_EQ(descriptor_->api_major, static_cast<uint32_t>(ORK_PLUGIN_API_MAJOR));
  EXPECT_LE(descriptor_->min_host_minor, static_cast<uint32_t>(ORK_PLUGIN_API_MINOR));
  EXPECT_STREQ(descriptor_->name, "sqlite");
  EXPECT_STREQ(descriptor_->version, "1.0.0");
  EXPECT_EQ(descriptor_->executor, nullptr);
  ASSERT_NE(descriptor_->storage, nullptr);
  std::vector<std::string> schemes;
  for (const char* const* scheme = storage().url_schemes; *scheme; ++scheme) schemes.emplace_back(*scheme);
  EXPECT_EQ(schemes, (std::vector<std::string>{"sqlite", "file"}));
}

TEST_F(PluginAbi, MainFlowThroughTheCAbi) {
  const std::string file = (dir_.path() / "nested" / "ork.db").string();
  void* store = open("sqlite://" + file);
  ASSERT_NE(store, nullptr);
  ork_error err;

  const ork_workflow_record workflow{ORK_STRUCT_SIZE(ork_workflow_record), s("etl"), s("abc"), s("/w/etl.yaml"),
                                     s("name: etl"), s(R"({"tasks":{}})"), 100};
  int64_t version = 0;
  ASSERT_EQ(storage().save_workflow(store, &workflow, &version, &err), ORK_STATUS_OK) << err.message;
  EXPECT_GT(version, 0);

  const ork_str tasks[] = {s("extract"), s("load")};
  ork_run_record run{ORK_STRUCT_SIZE(ork_run_record), s("0f3a9c"), version, s("etl"), s("{}"), s("key-1"),
                     s("cli"), s("host:42"), 200, tasks, 2};
  std::string run_id;
  const ork_str_sink id_sink{ORK_STRUCT_SIZE(ork_str_sink), &run_id, &capture_string};
  int existing = -1;
  ASSERT_EQ(storage().create_run(store, &run, &id_sink, &existing, &err), ORK_STATUS_OK) << err.message;
  EXPECT_EQ(run_id, "0f3a9c");
  EXPECT_EQ(existing, 0);
  run.run_id = s("other-id");
  ASSERT_EQ(storage().create_run(store, &run, &id_sink, &existing, &err), ORK_STATUS_OK) << err.message;
  EXPECT_EQ(run_id, "0f3a9c");
  EXPECT_EQ(existing, 1);

  const ork_task_update running{ORK_STRUCT_SIZE(ork_task_update), s("0f3a9c"), s("extract"), 1, s("running"), 300,
                                s(""), s(""), 0};
  const ork_task_update done{ORK_STRUCT_SIZE(ork_task_update), s("0f3a9c"), s("extract"), 1, s("succeeded"), 400,
                             s(R"({"rows":2})"), s(""), 0};
  ASSERT_EQ(storage().update_task(store, &running, &err), ORK_STATUS_OK) << err.message;
  const ork_log_line line{ORK_STRUCT_SIZE(ork_log_line), s("0f3a9c"), s("extract"), 1, ORK_LOG_STDERR, 350,
                          s("warming up")};
  ASSERT_EQ(storage().append_logs(store, &line, 1, &err), ORK_STATUS_OK) << err.message;
  ASSERT_EQ(storage().update_task(store, &done, &err), ORK_STATUS_OK) << err.message;
  ASSERT_EQ(storage().update_run(store, s("0f3a9c"), s("succeeded"), 500, s(""), &err), ORK_STATUS_OK)
      << err.message;

  std::string answer;
  ASSERT_EQ(query(store, ORK_QUERY_GET_RUN, R"({"run_id":"0f3"})", &answer, &err), ORK_STATUS_OK) << err.message;
  const boost::json::object got = boost::json::parse(answer).as_object();
  EXPECT_EQ(got.at("status"), "succeeded");
  EXPECT_EQ(got.at("finished_at"), 500);
  EXPECT_EQ(got.at("tasks").at("extract").at("output"), boost::json::parse(R"({"rows":2})"));
  EXPECT_EQ(got.at("tasks").at("load").at("status"), "pending");
  ASSERT_EQ(query(store, ORK_QUERY_LOGS, R"({"run_id":"0f3a9c"})", &answer, &err), ORK_STATUS_OK) << err.message;
  EXPECT_EQ(boost::json::parse(answer).at("lines").at(0).at("line"), "warming up");
  storage().close(store);

  // Reopened through the ABI, the state is still there.
  store = open(file);
  ASSERT_EQ(query(store, ORK_QUERY_LIST_RUNS, "{}", &answer, &err), ORK_STATUS_OK) << err.message;
  EXPECT_EQ(boost::json::parse(answer).at("runs").as_array().size(), 1u);
  storage().close(store);
}

TEST_F(PluginAbi, ErrorsComeBackAsStatusesWithMessages) {
  void* store = open((dir_.path() / "ork.db").string());
  ASSERT_NE(store, nullptr);
  ork_error err;
  std::string answer;
  EXPECT_EQ(query(store, ORK_QUERY_GET_RUN, R"({"run_id":"nope"})", &answer, &err), ORK_STATUS_NOT_FOUND);
  EXPECT_EQ(err.message, "no run 'nope'");
  EXPECT_EQ(query(store, ORK_QUERY_LIST_RUNS, "not json", &answer, &err), ORK_STATUS_ERROR);
  EXPECT_NE(err.message.find("params are not valid JSON"), std::string::npos) << err.message;
  EXPECT_EQ(answer, "");

  const ork_str tasks[] = {s("a")};
  const ork_run_record run{ORK_STRUCT_SIZE(ork_run_record), s("r1"), 0, s("etl"), s("{}"), s(""), s("cli"),
                           s("h"), 1, tasks, 1};
  std::string run_id;
  const ork_str_sink id_sink{ORK_STRUCT_SIZE(ork_str_sink), &run_id, &capture_string};
  int existing = 0;
  ASSERT_EQ(storage().create_run(store, &run, &id_sink, &existing, &err), ORK_STATUS_OK) << err.message;
  EXPECT_EQ(storage().create_run(store, &run, &id_sink, &existing, &err), ORK_STATUS_CONFLICT);
  EXPECT_NE(err.message.find("already exists"), std::string::npos) << err.message;
  EXPECT_EQ(storage().update_run(store, s("ghost"), s("failed"), 1, s("x"), &err), ORK_STATUS_NOT_FOUND);
  storage().close(store);
}

TEST_F(PluginAbi, RunOwnershipSince1_1) {
  ASSERT_GE(storage().struct_size, ORK_STRUCT_SIZE(ork_storage_vtable));
  void* store = open((dir_.path() / "ork.db").string());
  ASSERT_NE(store, nullptr);
  ork_error err;
  const ork_str tasks[] = {s("a")};
  const ork_run_record run{ORK_STRUCT_SIZE(ork_run_record), s("r1"), 0, s("etl"), s("{}"), s(""), s("cli"),
                           s("host:1"), 1000, tasks, 1};
  std::string run_id;
  const ork_str_sink id_sink{ORK_STRUCT_SIZE(ork_str_sink), &run_id, &capture_string};
  int existing = 0;
  ASSERT_EQ(storage().create_run(store, &run, &id_sink, &existing, &err), ORK_STATUS_OK) << err.message;
  int claimed = 0;
  ASSERT_EQ(storage().claim_run(store, s("r1"), s("host:1"), s(""), 1000, 5000, &claimed, &err), ORK_STATUS_OK)
      << err.message;
  EXPECT_EQ(claimed, 1);
  ASSERT_EQ(storage().request_cancel(store, s("r1"), 1100, &err), ORK_STATUS_OK) << err.message;
  std::string answer;
  const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &capture_string};
  ASSERT_EQ(storage().renew_leases(store, s("host:1"), 1200, 5000, &sink, &err), ORK_STATUS_OK) << err.message;
  EXPECT_EQ(answer, R"({"cancel_requested":["r1"]})");
  ASSERT_EQ(storage().set_workflow_setting(store, s("etl"), s("paused"), s("true"), &err), ORK_STATUS_OK)
      << err.message;
  ASSERT_EQ(query(store, ORK_QUERY_WORKFLOW_SETTINGS, R"({"workflow":"etl"})", &answer, &err), ORK_STATUS_OK);
  EXPECT_EQ(answer, R"({"settings":{"paused":true}})");
  ASSERT_EQ(query(store, ORK_QUERY_ORPHANED_RUNS, R"({"now":999999})", &answer, &err), ORK_STATUS_OK);
  EXPECT_EQ(boost::json::parse(answer).at("runs").at(0).at("run_id"), "r1");
  EXPECT_EQ(storage().claim_run(store, s("nope"), s("host:1"), s(""), 1, 1, &claimed, &err), ORK_STATUS_NOT_FOUND);
  storage().close(store);
}

TEST_F(PluginAbi, OpenRefusesAFileThatIsNotADatabase) {
  const auto file = dir_.path() / "ork.db";
  std::ofstream(file) << std::string(2048, 'z');
  void* store = nullptr;
  ork_error err;
  EXPECT_EQ(storage().open(state_, s(file.string()), &store, &err), ORK_STATUS_ERROR);
  EXPECT_EQ(store, nullptr);
  EXPECT_NE(err.message.find(file.string()), std::string::npos) << err.message;
  EXPECT_NE(err.message.find("not an SQLite database"), std::string::npos) << err.message;
}

TEST_F(PluginAbi, OpenRefusesABadUrl) {
  void* store = nullptr;
  ork_error err;
  EXPECT_EQ(storage().open(state_, s("sqlite:///x.db?mode=fast"), &store, &err), ORK_STATUS_ERROR);
  EXPECT_NE(err.message.find("unknown option 'mode=fast'"), std::string::npos) << err.message;
}

}  // namespace
}  // namespace ork::plugins::sqlite
