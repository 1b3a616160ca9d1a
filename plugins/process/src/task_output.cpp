#include "task_output.hpp"

#include <ork/limits.h>

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>

namespace ork::plugins::process {
namespace {

constexpr std::size_t stderr_tail_lines = 10;
constexpr std::size_t stderr_tail_bytes = 2048;

// Boost.JSON's parser with a handler that keeps nothing: validates the result
// line without building a DOM (a result may be tens of MiB).
struct DiscardingHandler {
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace

TaskOutput::TaskOutput(ork::plugin::TaskSink& sink)
    : sink_(sink),
      stdout_lines_({log_line_limit, result_marker, result_line_limit, false},
                    [this](std::string_view line, std::size_t dropped) { on_stdout_line(line, dropped); }),
      stderr_lines_({log_line_limit, {}, 0, false},
                    [this](std::string_view line, std::size_t dropped) { on_stderr_line(line, dropped); }) {}

std::variant<TaskResult, ResultProblem> TaskOutput::result() const {
  if (second_result_line_ != 0) {
    return ResultProblem{"task printed ORK_OUTPUT twice (lines " + std::to_string(result_line_) + " and " +
                         std::to_string(second_result_line_) + "); print exactly one result line"};
  }
  if (result_truncated_) {
    return ResultProblem{"ORK_OUTPUT line (line " + std::to_string(result_line_) + ") is longer than the " +
                         std::to_string(result_line_limit >> 20) +
                         " MiB limit; write large results to a file and return its path"};
  }
  if (result_line_ == 0) return TaskResult{};
  if (std::optional<std::string> problem = json_syntax_problem(result_json_)) {
    if (problem->starts_with("it nests deeper")) {
      // Valid JSON, but deeper than the store keeps: refused here rather than changing type later.
      return ResultProblem{"output nests deeper than " + std::to_string(ORK_MAX_JSON_DEPTH) +
                           " levels (arrays and objects inside one another); flatten it, or write it to a file "
                           "and return the file's path"};
    }
    return ResultProblem{"ORK_OUTPUT line is not valid JSON: " + *problem};
  }
  return TaskResult{result_json_};
}

std::string TaskOutput::stderr_tail() const {
  std::size_t first = stderr_tail_.size();
  std::size_t bytes = 0;
  while (first > 0 && bytes + stderr_tail_[first - 1].size() + 1 <= stderr_tail_bytes) {
    bytes += stderr_tail_[first - 1].size() + 1;
    --first;
  }
  if (first == stderr_tail_.size() && first > 0) {
    // Even the last line alone is too long: keep its end, where errors usually are.
    const std::string& last = stderr_tail_.back();
    return "..." + last.substr(last.size() - (stderr_tail_bytes - 3));
  }
  std::string tail;
  for (std::size_t i = first; i < stderr_tail_.size(); ++i) {
    if (!tail.empty()) tail += '\n';
    tail += stderr_tail_[i];
  }
  return tail;
}

void TaskOutput::on_stdout_line(std::string_view line, std::size_t dropped) {
  ++stdout_line_count_;
  if (line.starts_with(result_marker)) {
    if (result_line_ == 0) {
      result_line_ = stdout_line_count_;
      result_json_.assign(line.substr(result_marker.size()));
      result_truncated_ = dropped > 0;
    } else if (second_result_line_ == 0) {
      second_result_line_ = stdout_line_count_;
    }
    return;
  }
  sink_.log(ORK_LOG_STDOUT, line);
  if (dropped > 0) note_truncation("stdout", stdout_line_count_, line.size(), dropped);
}

void TaskOutput::on_stderr_line(std::string_view line, std::size_t dropped) {
  ++stderr_line_count_;
  sink_.log(ORK_LOG_STDERR, line);
  if (dropped > 0) note_truncation("stderr", stderr_line_count_, line.size(), dropped);
  if (line.empty()) return;
  if (stderr_tail_.size() == stderr_tail_lines) stderr_tail_.pop_front();
  // The end of a long line is kept: that is where messages usually say what went wrong.
  stderr_tail_.emplace_back(line.substr(line.size() - std::min(line.size(), stderr_tail_bytes)));
}

void TaskOutput::note_truncation(std::string_view stream, std::size_t line_number, std::size_t kept,
                                 std::size_t dropped) {
  std::string note = std::string(stream) + " line " + std::to_string(line_number) + " was " +
                     std::to_string(kept + dropped) + " bytes long; only its first " + std::to_string(kept) +
                     " bytes were kept";
  sink_.log(ORK_LOG_SYSTEM, note);
}

std::optional<std::string> json_syntax_problem(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = ORK_MAX_JSON_DEPTH;  // what the store keeps as JSON; Boost.JSON's default is 32
  boost::json::basic_parser<DiscardingHandler> parser(options);
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (ec == boost::json::error::too_deep) {
    return "it nests deeper than " + std::to_string(ORK_MAX_JSON_DEPTH) + " levels";
  }
  if (ec) return ec.message() + " at offset " + std::to_string(consumed);
  // The parser stops after one complete value (and the whitespace after it).
  if (consumed < text.size()) return "extra data after the JSON value at offset " + std::to_string(consumed);
  return std::nullopt;
}

}  // namespace ork::plugins::process
