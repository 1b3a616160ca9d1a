// LineSplitter: lines across reads, "\r\n", a last line without "\n", the
// line limit (truncating, or splitting with split_long_lines) and the exempt
// prefix that lets a result line grow past it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ork_executor/line_splitter.hpp"

namespace ork::plugins::executor {
namespace {

struct Line {
  std::string text;
  std::size_t dropped;
  bool operator==(const Line&) const = default;
};

std::vector<Line> split(const std::vector<std::string>& chunks, LineSplitter::Limits limits) {
  std::vector<Line> lines;
  LineSplitter splitter(limits, [&](std::string_view line, std::size_t dropped) {
    lines.push_back(Line{std::string(line), dropped});
  });
  for (const std::string& chunk : chunks) splitter.feed(chunk);
  splitter.finish();
  return lines;
}

constexpr LineSplitter::Limits wide{1000, {}, 0, false};

TEST(LineSplitter, SplitsOnNewlineAcrossChunks) {
  EXPECT_EQ(split({"ab", "c\nde", "f\n\ng\n"}, wide), (std::vector<Line>{{"abc", 0}, {"def", 0}, {"", 0}, {"g", 0}}));
}

TEST(LineSplitter, DropsCarriageReturnBeforeNewline) {
  EXPECT_EQ(split({"x\r\ny\r", "\nmid\rdle\n"}, wide), (std::vector<Line>{{"x", 0}, {"y", 0}, {"mid\rdle", 0}}));
}

TEST(LineSplitter, LastLineWithoutNewline) {
  EXPECT_EQ(split({"a\nb"}, wide), (std::vector<Line>{{"a", 0}, {"b", 0}}));
  EXPECT_EQ(split({"a\n"}, wide), (std::vector<Line>{{"a", 0}}));
  EXPECT_EQ(split({}, wide), (std::vector<Line>{}));
}

TEST(LineSplitter, TruncatesLongLinesAndCountsDroppedBytes) {
  LineSplitter::Limits limits{4, {}, 0, false};
  EXPECT_EQ(split({"abcdefgh\nxy\n"}, limits), (std::vector<Line>{{"abcd", 4}, {"xy", 0}}));
  EXPECT_EQ(split({"ab", "cdef", "gh", "ij\nz"}, limits), (std::vector<Line>{{"abcd", 6}, {"z", 0}}));
}

TEST(LineSplitter, ExemptPrefixMayGrowPastTheLimitEvenWhenSplitAcrossChunks) {
  LineSplitter::Limits limits{4, "OUT:", 10, false};
  EXPECT_EQ(split({"OU", "T:123456\nOUT:12345678\nOTHER\n"}, limits),
            (std::vector<Line>{{"OUT:123456", 0}, {"OUT:123456", 2}, {"OTHE", 1}}));
  EXPECT_EQ(split({"O", "U", "T", ":", "12", "\n"}, limits), (std::vector<Line>{{"OUT:12", 0}}));
}

TEST(LineSplitter, SplitLongLinesHandsOverPiecesAndDropsNothing) {
  LineSplitter::Limits limits{4, {}, 0, true};
  EXPECT_EQ(split({"abcdefghij\nxy\n"}, limits), (std::vector<Line>{{"abcd", 0}, {"efgh", 0}, {"ij", 0}, {"xy", 0}}));
  EXPECT_EQ(split({"ab", "cdef", "gh", "\nz"}, limits), (std::vector<Line>{{"abcd", 0}, {"efgh", 0}, {"z", 0}}));
}

TEST(LineSplitter, SplitLongLinesKeepsAnUnterminatedTailForTheNextRead) {
  LineSplitter::Limits limits{4, {}, 0, true};
  EXPECT_EQ(split({"abcdef", "g\r\n"}, limits), (std::vector<Line>{{"abcd", 0}, {"efg", 0}}));
  EXPECT_EQ(split({"abcdefgh"}, limits), (std::vector<Line>{{"abcd", 0}, {"efgh", 0}}));
}

}  // namespace
}  // namespace ork::plugins::executor
