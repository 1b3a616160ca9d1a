// An event-stream client resuming from `Last-Event-ID: 0` once had every
// event of the store loaded into memory for it at once; now it catches up a
// page at a time, then goes live without gaps or duplicates.
#include "api_support.hpp"
#include "http/http_limits.hpp"
#include "workflows.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

using host::http_limits::catch_up_page_events;

TEST(EventCatchUp, IsPagedAndGoesLiveWithoutGapsOrDuplicates) {
  ServeFixture serve;
  serve.write_workflow("chatty.yaml", chatty_yaml);
  host::ServeOptions options;
  options.run_schedules = false;
  serve.start(options);
  const std::string run = serve.run_to_end("chatty");
  host::Store& store = serve.app().store();
  // One "log" event per append: well over two pages of them.
  const int appended = 2 * catch_up_page_events + 500;
  for (int i = 0; i < appended; ++i) {
    host::NewLogLine line{run, "talk", 1, ORK_LOG_STDOUT, host::now_millis(), "old " + std::to_string(i)};
    store.append_logs(std::span<const host::NewLogLine>(&line, 1));
  }
  const std::int64_t stored = store.events(std::numeric_limits<std::int64_t>::max(), 1).last_seq;
  ASSERT_GT(stored, appended);

  host::EventHub hub(store, std::chrono::milliseconds(10));
  hub.start();
  std::shared_ptr<host::EventHub::Subscription> subscription = hub.subscribe(0);
  // Live events too, while the reader is still catching up.
  host::NewLogLine live{run, "talk", 1, ORK_LOG_STDOUT, host::now_millis(), "live"};
  store.append_logs(std::span<const host::NewLogLine>(&live, 1));

  std::vector<std::int64_t> seen;
  std::size_t largest_batch = 0;
  for (int i = 0; i < 1000 && (seen.empty() || seen.back() < stored + 1); ++i) {
    std::optional<std::vector<host::StoreEvent>> batch = subscription->next(std::chrono::milliseconds(100));
    ASSERT_TRUE(batch);
    largest_batch = std::max(largest_batch, batch->size());
    for (const host::StoreEvent& e : *batch) seen.push_back(e.seq);
  }
  hub.unsubscribe(subscription);
  hub.stop();

  EXPECT_LE(largest_batch, static_cast<std::size_t>(catch_up_page_events)) << "catch-up is paged";
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(stored + 1));
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<std::int64_t>(i + 1)) << "at " << i;
}

}  // namespace
}  // namespace ork::test
