// Storage conformance, plugin API 1.3, for every backend through the C ABI:
// the queue of task attempts for `ork worker` — enqueue, claim, complete,
// worker heartbeats, cancellation, and the QUEUED_ATTEMPT and WORKERS
// queries. Answers are compared as exact text, so both backends must write
// the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage_support.hpp"

namespace ork::storage_test {
namespace {

namespace json = boost::json;

class Queue : public StorageTest {
 protected:
  std::int64_t enqueue(std::string_view task, std::string_view executor = "process", std::uint32_t attempt = 1,
                       std::string_view run_id = "r1") {
    return store().enqueue_attempt(run_id, task, attempt, executor, R"({"task":")" + std::string(task) + "\"}",
                                   1000);
  }

  // The id of the claimed attempt, 0 when nothing was claimable.
  std::int64_t claim(std::string_view worker, std::string_view executors, std::int64_t now,
                     std::int64_t lease_ms = 10'000) {
    return claimed_id(store().claim_attempt(worker, executors, now, lease_ms));
  }

  static std::int64_t claimed_id(const std::string& answer) {
    const json::object claimed = json::parse(answer).as_object();
    return claimed.empty() ? 0 : claimed.at("id").as_int64();
  }

  std::string attempt_state(std::int64_t id) {
    return store().query(ORK_QUERY_QUEUED_ATTEMPT, R"({"id":)" + std::to_string(id) + "}");
  }
};

TEST_P(Queue, AnAttemptIsEnqueuedClaimedAndCompleted) {
  const std::int64_t id = store().enqueue_attempt("r1", "extract", 2, "process", R"({"command":["echo","hi"]})", 1000);
  EXPECT_EQ(id, 1);
  EXPECT_EQ(attempt_state(id),
            R"({"id":1,"status":"queued","worker":null,"outcome":null,"output":null,"error":null})");

  EXPECT_EQ(store().claim_attempt("w1", "process", 2000, 10'000),
            R"({"id":1,"run_id":"r1","task":"extract","attempt":2,"executor":"process",)"
            R"("payload":{"command":["echo","hi"]}})");
  EXPECT_EQ(attempt_state(id),
            R"({"id":1,"status":"claimed","worker":"w1","outcome":null,"output":null,"error":null})");
  EXPECT_EQ(store().claim_attempt("w2", "process", 2001, 10'000), "{}");  // nothing else queued

  store().complete_attempt(id, "w1", ORK_TASK_SUCCEEDED, R"({"rows":3})", "", 3000);
  EXPECT_EQ(attempt_state(id),
            R"({"id":1,"status":"done","worker":"w1","outcome":"succeeded","output":{"rows":3},"error":null})");

  const std::int64_t failed = enqueue("load");
  ASSERT_EQ(claim("w1", "process", 4000), failed);
  store().complete_attempt(failed, "w1", ORK_TASK_TIMED_OUT, "", "timed out after 5s", 5000);
  EXPECT_EQ(attempt_state(failed),
            R"({"id":2,"status":"done","worker":"w1","outcome":"timed_out","output":null,)"
            R"("error":"timed out after 5s"})");
}

TEST_P(Queue, ARepeatedEnqueueReturnsTheSameRow) {
  const std::int64_t first = enqueue("extract");
  EXPECT_EQ(enqueue("extract"), first);
  EXPECT_NE(enqueue("extract", "process", 2), first);  // the next attempt is its own row
  ASSERT_EQ(claim("w1", "process", 2000), first);
  EXPECT_EQ(enqueue("extract"), first);  // even once claimed: it is not queued again
  ASSERT_NE(claim("w1", "process", 2001), 0);
  EXPECT_EQ(claim("w1", "process", 2002), 0);
}

TEST_P(Queue, ClaimTakesTheOldestAttemptOfAnExecutorTheWorkerHas) {
  const std::int64_t python = enqueue("a", "python");
  const std::int64_t process_1 = enqueue("b", "process");
  const std::int64_t docker = enqueue("c", "docker");
  const std::int64_t process_2 = enqueue("d", "process");

  EXPECT_EQ(claim("w1", "process", 2000), process_1);
  EXPECT_EQ(claim("w1", " docker , process ", 2000), docker);  // spaces around names are ignored
  EXPECT_EQ(claim("w1", "process", 2000), process_2);
  EXPECT_EQ(claim("w1", "process,docker", 2000), 0);
  EXPECT_EQ(claim("w2", "python", 2000), python);
  expect_error([&] { store().claim_attempt("w1", " , ", 2000, 10'000); }, ORK_STATUS_ERROR, "no executors");
  expect_error([&] { store().claim_attempt("", "process", 2000, 10'000); }, ORK_STATUS_ERROR, "no worker");
  expect_error([&] { store().claim_attempt("w1", "process", 2000, 0); }, ORK_STATUS_ERROR, "positive");
}

TEST_P(Queue, BadEnqueuesAreRefused) {
  expect_error([&] { store().enqueue_attempt("r1", "a", 1, "process", "{not json", 1000); }, ORK_STATUS_ERROR,
               "not valid JSON");
  expect_error([&] { store().enqueue_attempt("r1", "a", 1, "", "{}", 1000); }, ORK_STATUS_ERROR, "no executor");
  expect_error([&] { store().enqueue_attempt("r1", "a", 0, "process", "{}", 1000); }, ORK_STATUS_ERROR,
               "attempt >= 1");
  expect_error([&] { store().enqueue_attempt("r1", "a", 1, "a,b", "{}", 1000); }, ORK_STATUS_ERROR, "','");
}

TEST_P(Queue, TwoClaimersNeverGetTheSameAttempt) {
  constexpr int attempts = 40;
  for (int i = 0; i < attempts; ++i) enqueue("task" + std::to_string(i));
  // Two handles (two connections, or processes' worth of them), two threads each.
  std::vector<std::unique_ptr<AbiStore>> handles;
  handles.push_back(open_store());
  handles.push_back(open_store());
  std::mutex mutex;
  std::map<std::int64_t, int> claims;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      AbiStore& handle = *handles[t % 2];
      const std::string worker = "w" + std::to_string(t);
      try {
        for (;;) {
          const std::int64_t id = claimed_id(handle.claim_attempt(worker, "process", 2000, 60'000));
          if (id == 0) return;
          std::lock_guard lock(mutex);
          ++claims[id];
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failures.emplace_back(e.what());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(attempts));
  for (const auto& [id, count] : claims) EXPECT_EQ(count, 1) << "attempt " << id << " was claimed " << count << " times";
}

TEST_P(Queue, AnExpiredClaimIsClaimedAgainAndItsOldWorkerIsIgnored) {
  const std::int64_t id = enqueue("extract");
  ASSERT_EQ(claim("w1", "process", 2000, 10'000), id);  // lease until 12000
  EXPECT_EQ(claim("w2", "process", 12'000), 0);           // not expired yet
  EXPECT_EQ(claim("w2", "process", 12'001), id);          // w1 stopped heartbeating
  EXPECT_EQ(attempt_state(id),
            R"({"id":1,"status":"claimed","worker":"w2","outcome":null,"output":null,"error":null})");

  store().complete_attempt(id, "w1", ORK_TASK_FAILED, "", "w1 came back late", 13'000);
  EXPECT_EQ(attempt_state(id),
            R"({"id":1,"status":"claimed","worker":"w2","outcome":null,"output":null,"error":null})");
  store().complete_attempt(id, "w2", ORK_TASK_SUCCEEDED, "7", "", 14'000);
  store().complete_attempt(id, "w2", ORK_TASK_FAILED, "", "a repeat changes nothing", 15'000);
  store().complete_attempt(999, "w2", ORK_TASK_FAILED, "", "unknown ids are ignored", 15'000);
  EXPECT_EQ(attempt_state(id),
            R"({"id":1,"status":"done","worker":"w2","outcome":"succeeded","output":7,"error":null})");
}

TEST_P(Queue, HeartbeatsKeepClaimsAndReportCancelRequests) {
  const std::int64_t first = enqueue("a");
  const std::int64_t second = enqueue("b");
  ASSERT_EQ(claim("w1", "process", 2000, 10'000), first);
  ASSERT_EQ(claim("w1", "process", 2000, 10'000), second);
  EXPECT_EQ(store().worker_heartbeat("w1", R"({"executors":["process"],"slots":2,"running":2})", 11'000, 10'000),
            R"({"cancel":[]})");
  EXPECT_EQ(claim("w2", "process", 15'000), 0);  // both renewed until 21000

  store().cancel_attempt(second, 16'000);
  store().cancel_attempt(second, 16'500);  // asking again changes nothing
  EXPECT_EQ(store().worker_heartbeat("w1", "{}", 17'000, 10'000), R"({"cancel":[2]})");
  EXPECT_EQ(store().worker_heartbeat("w2", "{}", 17'000, 10'000), R"({"cancel":[]})");  // not w2's
  store().complete_attempt(second, "w1", ORK_TASK_CANCELLED, "", "cancelled", 18'000);
  EXPECT_EQ(store().worker_heartbeat("w1", "{}", 19'000, 10'000), R"({"cancel":[]})");
  EXPECT_EQ(attempt_state(second),
            R"({"id":2,"status":"done","worker":"w1","outcome":"cancelled","output":null,"error":"cancelled"})");
}

TEST_P(Queue, CancellingQueuedClaimedDoneAndUnknownAttempts) {
  const std::int64_t queued = enqueue("a");
  store().cancel_attempt(queued, 1500);
  EXPECT_EQ(attempt_state(queued),
            R"({"id":1,"status":"done","worker":null,"outcome":"cancelled","output":null,)"
            R"("error":"cancelled before a worker claimed it"})");
  EXPECT_EQ(claim("w1", "process", 2000), 0);  // a cancelled attempt is never claimed

  const std::int64_t claimed = enqueue("b");
  ASSERT_EQ(claim("w1", "process", 2000, 10'000), claimed);
  store().cancel_attempt(claimed, 2500);
  EXPECT_EQ(attempt_state(claimed),
            R"({"id":2,"status":"claimed","worker":"w1","outcome":null,"output":null,"error":null})");
  // Its worker died before it saw the request: it ends cancelled, not re-queued.
  EXPECT_EQ(claim("w2", "process", 12'001), 0);
  EXPECT_EQ(attempt_state(claimed),
            R"({"id":2,"status":"done","worker":"w1","outcome":"cancelled","output":null,)"
            R"("error":"cancelled; its worker stopped heartbeating"})");

  const std::int64_t done = enqueue("c");
  ASSERT_EQ(claim("w2", "process", 13'000), done);
  store().complete_attempt(done, "w2", ORK_TASK_SUCCEEDED, "", "", 14'000);
  store().cancel_attempt(done, 15'000);
  EXPECT_EQ(attempt_state(done),
            R"({"id":3,"status":"done","worker":"w2","outcome":"succeeded","output":null,"error":null})");

  expect_error([&] { store().cancel_attempt(999, 15'000); }, ORK_STATUS_NOT_FOUND, "999");
  expect_error([&] { attempt_state(999); }, ORK_STATUS_NOT_FOUND, "999");
  expect_error([&] { store().query(ORK_QUERY_QUEUED_ATTEMPT, "{}"); }, ORK_STATUS_ERROR, "'id' is required");
}

TEST_P(Queue, WorkersListsEachWorkerWithItsLeaseAndClaims) {
  EXPECT_EQ(store().query(ORK_QUERY_WORKERS, R"({"now":1000})"), R"({"workers":[]})");
  enqueue("a");
  enqueue("b");
  store().worker_heartbeat("w2", R"({"executors":["python"],"slots":1,"running":0})", 1000, 5000);
  store().worker_heartbeat("w1", R"({"executors":["process"],"slots":4,"running":0})", 1000, 5000);
  ASSERT_NE(claim("w1", "process", 1100, 5000), 0);
  ASSERT_NE(claim("w1", "process", 1100, 5000), 0);
  store().worker_heartbeat("w1", R"({"executors":["process"],"slots":4,"running":2})", 3000, 5000);

  EXPECT_EQ(store().query(ORK_QUERY_WORKERS, R"({"now":6001})"),  // w2 expired at 6000
            R"({"workers":[)"
            R"({"name":"w1","info":{"executors":["process"],"slots":4,"running":2},"last_heartbeat":3000,)"
            R"("alive":true,"claimed":2},)"
            R"({"name":"w2","info":{"executors":["python"],"slots":1,"running":0},"last_heartbeat":1000,)"
            R"("alive":false,"claimed":0}]})");
  expect_error([&] { store().query(ORK_QUERY_WORKERS, "{}"); }, ORK_STATUS_ERROR, "'now' is required");
  expect_error([&] { store().worker_heartbeat("w1", "{oops", 7000, 5000); }, ORK_STATUS_ERROR, "not valid JSON");
}

INSTANTIATE_TEST_SUITE_P(Backends, Queue, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ork::storage_test
