// The API's run-graph cache under concurrent use: readers keep using the
// graph they were given while other threads fill and clear the cache. Once
// a reference into the map, freed by another thread's clear(); run under
// AddressSanitizer or ThreadSanitizer this test caught it.
#include "http/graph_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace ork::test {
namespace {

boost::json::array graph_of(std::int64_t version) {
  boost::json::array graph;
  for (int i = 0; i < 8; ++i) graph.push_back(boost::json::object{{"version", version}, {"task", i}});
  return graph;
}

TEST(GraphCache, ReadersKeepTheirGraphWhileOthersClearTheCache) {
  host::GraphCache cache(/*capacity=*/2);  // tiny, so that clear() runs all the time
  std::atomic<int> wrong{0};
  std::atomic<int> loads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        std::int64_t version = (t * 7 + i) % 10;
        host::GraphCache::Graph graph = cache.get(version, [&] {
          ++loads;
          return graph_of(version);
        });
        // Read it after other threads had every chance to clear the cache.
        std::this_thread::yield();
        if (graph->size() != 8 || graph->at(7).at("version").as_int64() != version) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(loads, 10) << "the cache was cleared and refilled while readers held graphs";
}

TEST(GraphCache, KeepsGraphsUpToItsCapacity) {
  host::GraphCache cache(3);
  int loads = 0;
  auto load = [&](std::int64_t v) { return [&loads, v] { ++loads; return graph_of(v); }; };
  for (std::int64_t v : {1, 2, 3, 1, 2, 3}) cache.get(v, load(v));
  EXPECT_EQ(loads, 3) << "cached at the limit";
  cache.get(4, load(4));
  cache.get(1, load(1));
  EXPECT_EQ(loads, 5) << "past the limit the cache starts again";
}

}  // namespace
}  // namespace ork::test
