#include "storage_support.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "pg_server.hpp"

// raw_abi_calls.c: calls with enum values no enumerator names (see there).
extern "C" {
ork_status ork_test_query_raw(const ork_storage_vtable* vtable, void* store, int kind, ork_str params,
                              const ork_json_sink* out, ork_error* err);
void ork_test_set_stream_raw(ork_log_line* line, int stream);
}

// The host's error slot is opaque to plugins; this fake host gives it a body.
struct ork_error {
  std::string message;
};

namespace ork::storage_test {

namespace {

ork_str s(std::string_view text) { return ork_str{text.data(), text.size()}; }

void capture_string(void* ctx, ork_str text) { static_cast<std::string*>(ctx)->assign(text.ptr, text.len); }

void fake_set_error(ork_error* slot, ork_str message) {
  if (slot) slot->message.assign(message.ptr, message.len);
}

// Plugin diagnostics (e.g. "reconnecting") shown with ORK_TEST_VERBOSE=1.
void fake_log(int level, ork_str message) {
  static const bool verbose = std::getenv("ORK_TEST_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "[plugin log %d] %.*s\n", level, static_cast<int>(message.len), message.ptr);
}

const ork_host_api fake_host = {ORK_STRUCT_SIZE(ork_host_api), ORK_PLUGIN_API_MAJOR, ORK_PLUGIN_API_MINOR,
                                &fake_set_error, &fake_log};

void check(ork_status status, const ork_error& err) {
  if (status != ORK_STATUS_OK) throw StoreError(status, err.message);
}

}  // namespace

namespace {

// The plugins loaded so far, shut down at exit as the host does (their state
// would otherwise be reported as leaked by scripts/sanitize.sh asan).
struct LoadedPlugins {
  std::map<std::string, StoragePlugin> by_path;
  ~LoadedPlugins() {
    for (auto& [path, plugin] : by_path) {
      if (plugin.descriptor && plugin.descriptor->shutdown) plugin.descriptor->shutdown(plugin.state);
    }
  }
};

}  // namespace

const StoragePlugin& load_storage_plugin(const std::string& path) {
  static std::mutex mutex;
  static LoadedPlugins loaded;
  std::lock_guard lock(mutex);
  StoragePlugin& plugin = loaded.by_path[path];
  if (!plugin.descriptor) {
    // Plugins are never unloaded before exit, so neither is this one.
    void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library) throw std::runtime_error("cannot load " + path + ": " + ::dlerror());
    auto describe = reinterpret_cast<ork_plugin_describe_fn>(::dlsym(library, ORK_PLUGIN_ENTRY_SYMBOL));
    if (!describe) throw std::runtime_error(path + " exports no " ORK_PLUGIN_ENTRY_SYMBOL);
    const ork_plugin_descriptor* descriptor = describe();
    ork_error err;
    check(descriptor->init(&fake_host, &plugin.state, &err), err);
    if (!descriptor->storage) throw std::runtime_error(path + " is not a storage plugin");
    plugin.descriptor = descriptor;
  }
  return plugin;
}

// ---- AbiStore -----------------------------------------------------------------

AbiStore::AbiStore(const StoragePlugin& plugin, const std::string& url) : vtable_(*plugin.descriptor->storage) {
  ork_error err;
  check(vtable_.open(plugin.state, s(url), &store_, &err), err);
}

AbiStore::~AbiStore() {
  if (store_) vtable_.close(store_);
}

std::int64_t AbiStore::save_workflow(std::string_view name, std::string_view hash, std::int64_t created_at) {
  const ork_workflow_record workflow{ORK_STRUCT_SIZE(ork_workflow_record), s(name), s(hash), s("/w/etl.yaml"),
                                     s("name: etl\n"), s(R"({"tasks":{"a":{}}})"), created_at};
  std::int64_t id = 0;
  ork_error err;
  check(vtable_.save_workflow(store_, &workflow, &id, &err), err);
  return id;
}

CreatedRun AbiStore::create_run(std::string_view run_id, std::int64_t version, std::string_view workflow,
                                const std::vector<std::string>& tasks, std::int64_t at,
                                std::string_view idempotency_key, std::string_view owner) {
  std::vector<ork_str> names;
  for (const std::string& task : tasks) names.push_back(s(task));
  const ork_run_record run{ORK_STRUCT_SIZE(ork_run_record), s(run_id), version, s(workflow), s(R"({"n":3})"),
                           s(idempotency_key), s("cli"), s(owner), at, names.data(), names.size()};
  CreatedRun created;
  const ork_str_sink sink{ORK_STRUCT_SIZE(ork_str_sink), &created.run_id, &capture_string};
  int existing = -1;
  ork_error err;
  check(vtable_.create_run(store_, &run, &sink, &existing, &err), err);
  created.existing = existing == 1;
  return created;
}

void AbiStore::update_task(std::string_view run_id, std::string_view task, std::uint32_t attempt,
                           std::string_view status, std::int64_t at, std::string_view output,
                           std::string_view error, std::int64_t next_attempt_at) {
  const ork_task_update update{ORK_STRUCT_SIZE(ork_task_update), s(run_id), s(task), attempt, s(status), at,
                               s(output), s(error), next_attempt_at};
  ork_error err;
  check(vtable_.update_task(store_, &update, &err), err);
}

void AbiStore::update_run(std::string_view run_id, std::string_view status, std::int64_t at,
                          std::string_view error) {
  ork_error err;
  check(vtable_.update_run(store_, s(run_id), s(status), at, s(error), &err), err);
}

namespace {

std::vector<ork_log_line> raw_lines(const std::vector<LogLine>& lines) {
  std::vector<ork_log_line> raw;
  for (const LogLine& line : lines) {
    raw.push_back(ork_log_line{ORK_STRUCT_SIZE(ork_log_line), s(line.run_id), s(line.task), line.attempt,
                               ORK_LOG_STDOUT, line.at, s(line.line)});
    ork_test_set_stream_raw(&raw.back(), line.stream);
  }
  return raw;
}

}  // namespace

void AbiStore::append_logs(const std::vector<LogLine>& lines) {
  const std::vector<ork_log_line> raw = raw_lines(lines);
  ork_error err;
  check(vtable_.append_logs(store_, raw.data(), raw.size(), &err), err);
}

void AbiStore::append_logs_and_update_tasks(const std::vector<LogLine>& lines,
                                            const std::vector<TaskUpdate>& updates) {
  const std::vector<ork_log_line> raw = raw_lines(lines);
  std::vector<ork_task_update> raw_updates;
  for (const TaskUpdate& u : updates) {
    raw_updates.push_back(ork_task_update{ORK_STRUCT_SIZE(ork_task_update), s(u.run_id), s(u.task), u.attempt,
                                          s(u.status), u.at, s(u.output), s(u.error), 0});
  }
  ork_error err;
  check(vtable_.append_logs_and_update_tasks(store_, raw.data(), raw.size(), raw_updates.data(), raw_updates.size(),
                                             &err),
        err);
}

std::string AbiStore::query(int kind, std::string_view params) {
  std::string answer;
  const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &capture_string};
  ork_error err;
  check(ork_test_query_raw(&vtable_, store_, kind, s(params), &sink, &err), err);
  return answer;
}

bool AbiStore::claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner,
                         std::int64_t now, std::int64_t lease_ms) {
  int claimed = -1;
  ork_error err;
  check(vtable_.claim_run(store_, s(run_id), s(owner), s(dead_owner), now, lease_ms, &claimed, &err), err);
  return claimed == 1;
}

std::string AbiStore::renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) {
  std::string answer;
  const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &capture_string};
  ork_error err;
  check(vtable_.renew_leases(store_, s(owner), now, lease_ms, &sink, &err), err);
  return answer;
}

void AbiStore::request_cancel(std::string_view run_id, std::int64_t at) {
  ork_error err;
  check(vtable_.request_cancel(store_, s(run_id), at, &err), err);
}

void AbiStore::set_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json) {
  ork_error err;
  check(vtable_.set_workflow_setting(store_, s(workflow), s(key), s(value_json), &err), err);
}

std::int64_t AbiStore::enqueue_attempt(std::string_view run_id, std::string_view task, std::uint32_t attempt,
                                       std::string_view executor, std::string_view payload_json, std::int64_t at) {
  const ork_queued_attempt queued{ORK_STRUCT_SIZE(ork_queued_attempt), s(run_id), s(task), attempt, s(executor),
                                  s(payload_json), at};
  std::int64_t id = 0;
  ork_error err;
  check(vtable_.enqueue_attempt(store_, &queued, &id, &err), err);
  return id;
}

std::string AbiStore::claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                                    std::int64_t lease_ms) {
  std::string answer;
  const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &capture_string};
  ork_error err;
  check(vtable_.claim_attempt(store_, s(worker), s(executors), now, lease_ms, &sink, &err), err);
  return answer;
}

void AbiStore::complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                                std::string_view output_json, std::string_view error, std::int64_t at) {
  ork_error err;
  check(vtable_.complete_attempt(store_, id, s(worker), outcome, s(output_json), s(error), at, &err), err);
}

std::string AbiStore::worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                                       std::int64_t lease_ms) {
  std::string answer;
  const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &capture_string};
  ork_error err;
  check(vtable_.worker_heartbeat(store_, s(worker), s(info_json), now, lease_ms, &sink, &err), err);
  return answer;
}

void AbiStore::cancel_attempt(std::int64_t id, std::int64_t at) {
  ork_error err;
  check(vtable_.cancel_attempt(store_, id, at, &err), err);
}

void AbiStore::cache_put(std::string_view key, std::string_view workflow, std::string_view run_id,
                         std::string_view task, std::uint32_t attempt, std::string_view output_json,
                         std::int64_t created_at) {
  ork_error err;
  check(vtable_.cache_put(store_, s(key), s(workflow), s(run_id), s(task), attempt, s(output_json), created_at, &err),
        err);
}

std::string AbiStore::cache_lookup(std::string_view key, std::int64_t not_before) {
  std::string answer;
  const ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &capture_string};
  ork_error err;
  check(vtable_.cache_lookup(store_, s(key), not_before, &sink, &err), err);
  return answer;
}

std::int64_t AbiStore::cache_clear(std::string_view workflow) {
  std::int64_t removed = -1;
  ork_error err;
  check(vtable_.cache_clear(store_, s(workflow), &removed, &err), err);
  return removed;
}

// ---- the fixture ---------------------------------------------------------------

std::vector<Backend> backends() {
  return {Backend{"sqlite", ORK_SQLITE_PLUGIN_PATH}, Backend{"postgres", ORK_POSTGRES_PLUGIN_PATH}};
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) { return info.param.name; }

void StorageTest::SetUp() {
  if (GetParam().name == "postgres") {
    std::string reason;
    PgServer* server = shared_pg_server(&reason);
    if (!server) GTEST_SKIP() << reason;
    url_ = server->create_database();
  } else {
    static std::atomic<int> counter{0};
    temp_dir_ = std::filesystem::temp_directory_path() /
                ("ork-storage-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(temp_dir_);
    std::filesystem::create_directories(temp_dir_);
    url_ = "sqlite://" + (temp_dir_ / "ork.db").string();
  }
}

void StorageTest::TearDown() {
  store_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }
}

std::unique_ptr<AbiStore> StorageTest::open_store() const {
  return std::make_unique<AbiStore>(load_storage_plugin(GetParam().plugin_path), url_);
}

AbiStore& StorageTest::store() {
  if (!store_) store_ = open_store();
  return *store_;
}

std::int64_t StorageTest::save_workflow(std::string_view name, std::string_view hash) {
  return store().save_workflow(name, hash);
}

CreatedRun StorageTest::create_run(std::string_view run_id, const std::vector<std::string>& tasks, std::int64_t at,
                                   std::string_view workflow, std::string_view idempotency_key) {
  const std::int64_t version = save_workflow(workflow);
  return store().create_run(run_id, version, workflow, tasks, at, idempotency_key);
}

void StorageTest::update(std::string_view run_id, std::string_view task, std::uint32_t attempt,
                         std::string_view status, std::int64_t at, std::string_view output, std::string_view error,
                         std::int64_t next_attempt_at) {
  store().update_task(run_id, task, attempt, status, at, output, error, next_attempt_at);
}

boost::json::object StorageTest::query(ork_query_kind kind, std::string_view params) {
  return boost::json::parse(store().query(kind, params)).as_object();
}

boost::json::object StorageTest::get_run(std::string_view run_id) {
  return query(ORK_QUERY_GET_RUN, R"({"run_id":")" + std::string(run_id) + R"("})");
}

boost::json::object StorageTest::task_of(std::string_view run_id, std::string_view task) {
  return get_run(run_id).at("tasks").as_object().at(task).as_object();
}

boost::json::array StorageTest::events_after(std::int64_t seq) {
  return query(ORK_QUERY_EVENTS, R"({"after":)" + std::to_string(seq) + R"(,"limit":10000})")
      .at("events")
      .as_array();
}

}  // namespace ork::storage_test
