// What only the SQLite store's write side has: a printed micro-benchmark of
// update_task. The semantics of every write are tested against both storage
// plugins by the conformance suite in tests/storage/.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ork::plugins::sqlite {
namespace {

class StoreWrites : public testing::StoreTest {};

TEST_F(StoreWrites, MicroBenchmarkIsPrintedNeverAsserted) {
  create_run("r1", {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"});
  constexpr int rounds = 100;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t attempt = 1; attempt <= rounds; ++attempt) {
    update("r1", "t" + std::to_string(attempt % 10), attempt, "running", attempt);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::printf("[ info     ] update_task: %.1f us per call (WAL, synchronous=NORMAL)\n",
              std::chrono::duration<double, std::micro>(elapsed).count() / rounds);
}

}  // namespace
}  // namespace ork::plugins::sqlite
