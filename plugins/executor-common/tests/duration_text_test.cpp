// format_duration: the largest unit that states the duration exactly.
#include <gtest/gtest.h>

#include "ork_executor/duration_text.hpp"

namespace ork::plugins::executor {
namespace {

using std::chrono::milliseconds;

TEST(FormatDuration, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(300)), "300ms");
  EXPECT_EQ(format_duration(milliseconds(1000)), "1s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(7'200'000)), "2h");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
}

TEST(FormatDuration, WritesFractionsOfASecondWithoutTrailingZeros) {
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(1250)), "1.25s");
  EXPECT_EQ(format_duration(milliseconds(2005)), "2.005s");
}

}  // namespace
}  // namespace ork::plugins::executor
