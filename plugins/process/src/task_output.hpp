// What a task program prints: its stdout and stderr bytes turned into log
// lines (streamed to the task sink as they arrive), the one `ORK_OUTPUT:`
// line that carries the result, and the tail of stderr quoted in failure
// messages. Used by the process executor's run path and its tests.
#pragma once

#include <ork/limits.h>
#include <ork/plugin.hpp>

#include "ork_executor/line_splitter.hpp"

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ork::plugins::process {

using executor::LineSplitter;

// The marker that makes a stdout line the task's result.
inline constexpr std::string_view result_marker = "ORK_OUTPUT:";
// A log line longer than this is truncated (a result line is not).
inline constexpr std::size_t log_line_limit = ORK_MAX_LOG_LINE_BYTES;
// A result line longer than this fails the task instead of exhausting memory.
inline constexpr std::size_t result_line_limit = ORK_MAX_OUTPUT_BYTES;

// The JSON text of the result line; empty when the task printed none (null).
struct TaskResult {
  std::string json;
};
// Why the printed result cannot be used.
struct ResultProblem {
  std::string message;
};

// Consumes the task's stdout and stderr, logging every line but the result
// line to `sink` as it arrives.
class TaskOutput {
 public:
  explicit TaskOutput(ork::plugin::TaskSink& sink);
  // The line splitters call back into this object: it must stay put.
  TaskOutput(const TaskOutput&) = delete;
  TaskOutput& operator=(const TaskOutput&) = delete;

  void stdout_bytes(std::string_view bytes) { stdout_lines_.feed(bytes); }
  void stdout_closed() { stdout_lines_.finish(); }
  void stderr_bytes(std::string_view bytes) { stderr_lines_.feed(bytes); }
  void stderr_closed() { stderr_lines_.finish(); }

  // Once stdout is closed: the result, or why it is unusable (no result line
  // is fine; two, invalid JSON or an oversized line are not).
  std::variant<TaskResult, ResultProblem> result() const;
  // The last few lines of stderr (at most 10 lines / 2 KiB), newline-joined.
  std::string stderr_tail() const;

 private:
  void on_stdout_line(std::string_view line, std::size_t dropped);
  void on_stderr_line(std::string_view line, std::size_t dropped);
  void note_truncation(std::string_view stream, std::size_t line_number, std::size_t kept, std::size_t dropped);

  ork::plugin::TaskSink& sink_;
  LineSplitter stdout_lines_;
  LineSplitter stderr_lines_;
  std::size_t stdout_line_count_ = 0;
  std::size_t stderr_line_count_ = 0;
  std::string result_json_;
  std::size_t result_line_ = 0;  // 0: none seen
  std::size_t second_result_line_ = 0;
  bool result_truncated_ = false;
  std::deque<std::string> stderr_tail_;
};

// Checks that `text` is one JSON value nesting at most ORK_MAX_JSON_DEPTH
// levels; returns "<parser message> at offset K" when it is not JSON, "it
// nests deeper than 512 levels" when it is too deep.
std::optional<std::string> json_syntax_problem(std::string_view text);

}  // namespace ork::plugins::process
