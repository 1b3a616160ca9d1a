// PostgreSQL-only storage tests through the C ABI: the pool under four
// threads and two stores, a server restart between two writes, bytes of log
// lines, migrations (concurrent, newer schema refused) and error messages.
#include <libpq-fe.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pg_server.hpp"
#include "storage_support.hpp"

namespace ork::storage_test {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

// Rows of `sql` on the database at `url`, each column as text.
std::vector<std::vector<std::string>> rows(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  std::vector<std::vector<std::string>> table;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    std::vector<std::string>& row = table.emplace_back();
    for (int c = 0; c < PQnfields(result.get()); ++c) row.emplace_back(PQgetvalue(result.get(), r, c));
  }
  return table;
}

class PostgresOnly : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    server_ = shared_pg_server(&reason);
    if (!server_) GTEST_SKIP() << reason;
    url_ = server_->create_database();
  }

  std::unique_ptr<AbiStore> open(const std::string& url) const {
    return std::make_unique<AbiStore>(load_storage_plugin(ORK_POSTGRES_PLUGIN_PATH), url);
  }

  PgServer* server_ = nullptr;
  std::string url_;
};

constexpr int tasks_per_run = 100;

// Creates run `run_id` and drives each task through running and succeeded
// with one log line each.
void write_run(AbiStore& store, const std::string& run_id) {
  const std::int64_t version = store.save_workflow("load", "h");
  std::vector<std::string> names;
  for (int i = 0; i < tasks_per_run; ++i) names.push_back("task" + std::to_string(i));
  store.create_run(run_id, version, "load", names, 1);
  for (const std::string& task : names) {
    store.update_task(run_id, task, 1, "running", 2);
    store.append_logs({{run_id, task, 1, ORK_LOG_STDOUT, 3, "working on " + task}});
    store.update_task(run_id, task, 1, "succeeded", 4, R"({"ok":true})");
  }
}

TEST_F(PostgresOnly, TwoStoresAndFourThreadsWriteExactCounts) {
  std::unique_ptr<AbiStore> first = open(url_);
  std::unique_ptr<AbiStore> second = open(url_ + "?pool_size=2");
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    AbiStore& store = i % 2 == 0 ? *first : *second;
    threads.emplace_back([&, i] {
      try {
        write_run(store, "w" + std::to_string(i));
      } catch (const std::exception& e) {
        std::lock_guard lock(errors_mutex);
        errors.push_back(e.what());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  for (int i = 0; i < 4; ++i) {
    const std::string run_id = "w" + std::to_string(i);
    const json::value run = json::parse(first->query(ORK_QUERY_GET_RUN, R"({"run_id":")" + run_id + R"("})"));
    EXPECT_EQ(run.at("task_counts"), (json::object{{"succeeded", tasks_per_run}})) << run_id;
    const json::value logs =
        json::parse(second->query(ORK_QUERY_LOGS, R"({"run_id":")" + run_id + R"(","limit":10000})"));
    EXPECT_EQ(logs.at("lines").as_array().size(), static_cast<std::size_t>(tasks_per_run)) << run_id;
  }
  // Per run: one run event, and per task two task events and one log event;
  // sequence numbers without gaps, as no write rolled back.
  const json::value events = json::parse(first->query(ORK_QUERY_EVENTS, R"({"after":0,"limit":10000})"));
  const json::array& all = events.at("events").as_array();
  ASSERT_EQ(all.size(), static_cast<std::size_t>(4 * (1 + 3 * tasks_per_run)));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].at("seq").as_int64(), static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(rows(url_, "SELECT count(*) FROM workflow_versions")[0][0], "1");
}

TEST_F(PostgresOnly, AServerRestartBetweenTwoWritesLosesNothing) {
  // A private server: restarting the shared one would cut other tests off.
  PgServer own;
  const std::string url = own.create_database();
  std::unique_ptr<AbiStore> store = open(url);
  const std::int64_t version = store->save_workflow("etl", "h1");
  store->create_run("r1", version, "etl", {"a", "b"}, 100);
  store->update_task("r1", "a", 1, "running", 110);
  store->append_logs({{"r1", "a", 1, ORK_LOG_STDOUT, 115, "before the restart"}});

  own.restart();

  store->update_task("r1", "a", 1, "succeeded", 120, "42");
  store->append_logs({{"r1", "a", 1, ORK_LOG_STDOUT, 125, "after the restart"}});
  store->update_task("r1", "b", 0, "skipped", 130, "", "test");
  store->update_run("r1", "succeeded", 140, "");
  const json::value run = json::parse(store->query(ORK_QUERY_GET_RUN, R"({"run_id":"r1"})"));
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("tasks").at("a").at("output"), 42);
  EXPECT_EQ(run.at("tasks").at("b").at("status"), "skipped");
  const json::value logs = json::parse(store->query(ORK_QUERY_LOGS, R"({"run_id":"r1"})"));
  ASSERT_EQ(logs.at("lines").as_array().size(), 2u);
  EXPECT_EQ(logs.at("lines").at(0).at("line"), "before the restart");
  EXPECT_EQ(logs.at("lines").at(1).at("line"), "after the restart");
  const json::value events = json::parse(store->query(ORK_QUERY_EVENTS, R"({"after":0})"));
  EXPECT_EQ(events.at("events").as_array().size(), 7u);  // run, a running, log, a succeeded, log, b, run
}

// Two slots of one worker claim in the same millisecond; the second claim's
// first try meets a restarted server and is retried. The retry must not
// mistake the first slot's claim for its own (it once did, matching rows by
// worker and claim time, and both slots ran the same attempt).
TEST_F(PostgresOnly, AClaimRetriedAfterARestartNeverTakesAnotherSlotsClaim) {
  PgServer own;
  const std::string url = own.create_database();
  std::unique_ptr<AbiStore> store = open(url);
  for (const char* task : {"a", "b"}) store->enqueue_attempt("r1", task, 1, "process", "{}", 1000);

  const json::value first = json::parse(store->claim_attempt("w1", "process", 2000, 10'000));
  ASSERT_EQ(first.at("task"), "a");
  own.restart();
  const json::value second = json::parse(store->claim_attempt("w1", "process", 2000, 10'000));
  ASSERT_TRUE(second.is_object() && !second.as_object().empty()) << second;
  EXPECT_EQ(second.at("task"), "b");
  EXPECT_EQ(rows(url, "SELECT task, status, worker FROM queue ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"a", "claimed", "w1"}, {"b", "claimed", "w1"}}));
}

TEST_F(PostgresOnly, LogLinesAreStoredByteForByte) {
  std::unique_ptr<AbiStore> store = open(url_);
  store->create_run("r1", store->save_workflow("etl", "h"), "etl", {"a"}, 1);
  store->append_logs({{"r1", "a", 1, ORK_LOG_STDERR, 2, "nul\0and \xFF byte"s}});
  EXPECT_EQ(rows(url_, "SELECT encode(line, 'hex'), stream FROM logs"),
            (std::vector<std::vector<std::string>>{{"6e756c00616e6420ff2062797465", "2"}}));
  EXPECT_EQ(rows(url_, "SELECT count(*) FROM log_batches")[0][0], "1");
}

TEST_F(PostgresOnly, TwoStoresMigrateANewDatabaseOnce) {
  std::vector<std::unique_ptr<AbiStore>> stores(2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      try {
        stores[i] = open(url_);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(rows(url_, "SELECT version, name FROM schema_migrations ORDER BY version"),
            (std::vector<std::vector<std::string>>{{"1", "initial schema"},
                                                   {"2", "run ownership and workflow settings"},
                                                   {"4", "the attempt queue and its workers"},
                                                   {"5", "claim tokens"},
                                                   {"6", "the task cache"}}));
}

TEST_F(PostgresOnly, ANewerSchemaIsRefused) {
  open(url_).reset();
  rows(url_, "INSERT INTO schema_migrations VALUES (99, 'from the future', 0)");
  try {
    open(url_);
    ADD_FAILURE() << "opened a database with schema version 99";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.status(), ORK_STATUS_ERROR);
    const std::string expected = "the ork database on postgresql://ork@127.0.0.1:" + std::to_string(server_->port()) +
                                 "/" + url_.substr(url_.rfind('/') + 1) +
                                 " has schema version 99 but this postgres plugin only knows up to 6; it was written "
                                 "by a newer ork, so upgrade ork";
    EXPECT_EQ(e.what(), expected);
  }
}

TEST_F(PostgresOnly, ErrorsNameTheServerButNeverThePassword) {
  const std::string url =
      "postgresql://ork:hunter2@127.0.0.1:" + std::to_string(server_->port()) + "/no_such_database";
  try {
    open(url);
    ADD_FAILURE() << "opened a database that does not exist";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot connect to the PostgreSQL server postgresql://ork@127.0.0.1:" +
                           std::to_string(server_->port()) + "/no_such_database"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
  std::unique_ptr<AbiStore> store = open(url_);
  const std::string message = expect_error([&] { store->query(ORK_QUERY_GET_RUN, R"({"run_id":"x"})"); },
                                           ORK_STATUS_NOT_FOUND, "");
  EXPECT_EQ(message, "no run 'x'");
}

}  // namespace
}  // namespace ork::storage_test
