// Logging output lines, finding the result line, and the stderr tail quoted
// in failures (the splitting itself is tested in executor-common).
#include "task_output.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace ork::plugins::process {
namespace {

using testing::LogEntry;
using testing::RecordingTaskSink;

class TaskOutputTest : public ::testing::Test {
 protected:
  RecordingTaskSink recorder;
  ork::plugin::TaskSink sink{recorder.c_sink()};
  TaskOutput output{sink};

  void close() {
    output.stdout_closed();
    output.stderr_closed();
  }
};

TEST_F(TaskOutputTest, NoResultLineMeansNull) {
  output.stdout_bytes("hello\n");
  close();
  EXPECT_EQ(std::get<TaskResult>(output.result()).json, "");
  EXPECT_EQ(recorder.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"hello"}));
}

TEST_F(TaskOutputTest, ResultLineIsKeptAndNotLogged) {
  output.stdout_bytes("before\nORK_OUTPUT:{\"a\": [1, 2]}\r\nafter");
  close();
  EXPECT_EQ(std::get<TaskResult>(output.result()).json, "{\"a\": [1, 2]}");
  EXPECT_EQ(recorder.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"before", "after"}));
}

TEST_F(TaskOutputTest, MarkerAfterLeadingSpaceIsJustALogLine) {
  output.stdout_bytes("  ORK_OUTPUT:1\n");
  close();
  EXPECT_EQ(std::get<TaskResult>(output.result()).json, "");
  EXPECT_EQ(recorder.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"  ORK_OUTPUT:1"}));
}

TEST_F(TaskOutputTest, TwoResultLinesNameBothLineNumbers) {
  output.stdout_bytes("x\nORK_OUTPUT:1\ny\nORK_OUTPUT:2\nORK_OUTPUT:3\n");
  close();
  EXPECT_EQ(std::get<ResultProblem>(output.result()).message,
            "task printed ORK_OUTPUT twice (lines 2 and 4); print exactly one result line");
}

TEST_F(TaskOutputTest, InvalidJsonNamesParserMessageAndOffset) {
  output.stdout_bytes("ORK_OUTPUT:{\"a\": tru}\n");
  close();
  EXPECT_EQ(std::get<ResultProblem>(output.result()).message,
            "ORK_OUTPUT line is not valid JSON: syntax error at offset 6");
}

TEST_F(TaskOutputTest, EmptyResultIsInvalidJson) {
  output.stdout_bytes("ORK_OUTPUT:\n");
  close();
  EXPECT_EQ(std::get<ResultProblem>(output.result()).message,
            "ORK_OUTPUT line is not valid JSON: incomplete JSON at offset 0");
}

TEST_F(TaskOutputTest, ALogLineOfExactlyTheLimitIsKeptWhole) {
  static_assert(log_line_limit == ORK_MAX_LOG_LINE_BYTES);
  std::string line(ORK_MAX_LOG_LINE_BYTES, 'x');
  output.stderr_bytes(line + "\n");
  close();
  std::vector<LogEntry> logs = recorder.logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].line, line);
}

TEST_F(TaskOutputTest, LongLogLineIsTruncatedWithANote) {
  std::string long_line(log_line_limit + 10, 'x');
  output.stderr_bytes(long_line + "\nnext\n");
  close();
  std::vector<LogEntry> logs = recorder.logs();
  ASSERT_EQ(logs.size(), 3u);
  EXPECT_EQ(logs[0].stream, ORK_LOG_STDERR);
  EXPECT_EQ(logs[0].line, std::string(log_line_limit, 'x'));
  EXPECT_EQ(logs[1].stream, ORK_LOG_SYSTEM);
  EXPECT_EQ(logs[1].line, "stderr line 1 was 65546 bytes long; only its first 65536 bytes were kept");
  EXPECT_EQ(logs[2].line, "next");
}

TEST_F(TaskOutputTest, StderrTailKeepsTheLastTenNonEmptyLines) {
  for (int i = 1; i <= 12; ++i) output.stderr_bytes("e" + std::to_string(i) + "\n\n");
  close();
  EXPECT_EQ(output.stderr_tail(), "e3\ne4\ne5\ne6\ne7\ne8\ne9\ne10\ne11\ne12");
}

TEST_F(TaskOutputTest, StderrTailKeepsAtMostTwoKiB) {
  output.stderr_bytes(std::string(1500, 'a') + "\n" + std::string(1000, 'b') + "\nlast\n");
  close();
  EXPECT_EQ(output.stderr_tail(), std::string(1000, 'b') + "\nlast");
}

TEST_F(TaskOutputTest, StderrTailOfOneHugeLineKeepsItsEnd) {
  output.stderr_bytes(std::string(5000, 'a') + "END\n");
  close();
  std::string tail = output.stderr_tail();
  EXPECT_EQ(tail.size(), 2048u);
  EXPECT_TRUE(tail.starts_with("...aaa"));
  EXPECT_TRUE(tail.ends_with("aaEND"));
}

TEST(JsonSyntax, AcceptsDeepDocumentsAndRejectsTrailingGarbage) {
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(json_syntax_problem(deep), std::nullopt);
  EXPECT_EQ(json_syntax_problem(" {\"a\":1} "), std::nullopt);
  EXPECT_EQ(json_syntax_problem("{} x"), "extra data after the JSON value at offset 3");
  EXPECT_EQ(json_syntax_problem("1 2"), "extra data after the JSON value at offset 2");
}

TEST(JsonSyntax, AcceptsExactlyTheSharedDepthLimit) {
  // ORK_MAX_JSON_DEPTH (512): what the store keeps as JSON, not as a string.
  EXPECT_EQ(json_syntax_problem(std::string(512, '[') + std::string(512, ']')), std::nullopt);
  EXPECT_EQ(json_syntax_problem(std::string(513, '[') + std::string(513, ']')), "it nests deeper than 512 levels");
  EXPECT_EQ(json_syntax_problem(std::string(10000, '[') + std::string(10000, ']')), "it nests deeper than 512 levels");
}

}  // namespace
}  // namespace ork::plugins::process
