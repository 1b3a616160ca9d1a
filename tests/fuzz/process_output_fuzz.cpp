// Fuzz target: what the process executor makes of a task's stdout and stderr
// — the line splitter with its length limits and the `ORK_OUTPUT:` result
// line. Input: byte 0 = read size (how the bytes are chunked), byte 1 = line
// limit for the splitter test, then stdout, and after the first 0xFF byte,
// stderr. Properties: the lines, the truncation counts and the result do not
// depend on how the bytes were chunked; no line is longer than its limit; a
// result that is accepted is valid JSON; the stderr tail stays small.
#include "fuzz_support.hpp"
#include "task_output.hpp"

#include <string>
#include <variant>
#include <vector>

namespace {

namespace process = ork::plugins::process;

struct Line {
  std::string text;
  std::size_t dropped;
  bool operator==(const Line&) const = default;
};

void feed_chunked(std::string_view bytes, std::size_t chunk, const std::function<void(std::string_view)>& feed) {
  for (std::size_t at = 0; at < bytes.size(); at += chunk) feed(bytes.substr(at, chunk));
}

std::vector<Line> split(std::string_view bytes, std::size_t chunk, process::LineSplitter::Limits limits) {
  std::vector<Line> lines;
  process::LineSplitter splitter(limits, [&](std::string_view line, std::size_t dropped) {
    lines.push_back(Line{std::string(line), dropped});
  });
  feed_chunked(bytes, chunk, [&](std::string_view piece) { splitter.feed(piece); });
  splitter.finish();
  return lines;
}

void check_splitter(std::string_view bytes, std::size_t chunk, std::size_t line_limit) {
  process::LineSplitter::Limits limits{line_limit, process::result_marker, line_limit * 4};
  std::vector<Line> whole = split(bytes, bytes.size() + 1, limits);
  ORK_FUZZ_CHECK(split(bytes, chunk, limits) == whole);
  for (const Line& line : whole) {
    ORK_FUZZ_CHECK(line.text.size() <= limits.exempt_limit);
    if (!line.text.starts_with(process::result_marker)) ORK_FUZZ_CHECK(line.text.size() <= line_limit);
  }
}

struct Outcome {
  std::vector<std::string> logs;
  std::string result;  // "ok:<json>" or "problem:<message>"
  std::string stderr_tail;
  bool operator==(const Outcome&) const = default;
};

Outcome run_task_output(std::string_view out, std::string_view err, std::size_t chunk) {
  Outcome outcome;
  ork_task_sink raw{ORK_STRUCT_SIZE(ork_task_sink), &outcome.logs,
                    [](void* ctx, ork_log_stream stream, ork_str line) {
                      static_cast<std::vector<std::string>*>(ctx)->push_back(std::to_string(stream) + ":" +
                                                                             std::string(ork::plugin::view(line)));
                    },
                    [](void*, ork_task_outcome, ork_str, ork_str) {}};
  ork::plugin::TaskSink sink(raw);
  process::TaskOutput output(sink);
  // Interleave the two streams chunk by chunk, as the supervisor's poll loop may.
  for (std::size_t at = 0; at < out.size() || at < err.size(); at += chunk) {
    if (at < out.size()) output.stdout_bytes(out.substr(at, chunk));
    if (at < err.size()) output.stderr_bytes(err.substr(at, chunk));
  }
  output.stdout_closed();
  output.stderr_closed();
  auto result = output.result();
  if (const auto* ok = std::get_if<process::TaskResult>(&result)) {
    if (!ok->json.empty()) ORK_FUZZ_CHECK(!process::json_syntax_problem(ok->json).has_value());
    outcome.result = "ok:" + ok->json;
  } else {
    const auto& problem = std::get<process::ResultProblem>(result);
    ORK_FUZZ_CHECK(!problem.message.empty());
    outcome.result = "problem:" + problem.message;
  }
  outcome.stderr_tail = output.stderr_tail();
  ORK_FUZZ_CHECK(outcome.stderr_tail.size() <= 2048 + 16);
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  // The splitter needs line_limit >= the exempt prefix's length (it reads
  // that much of a line before it knows which limit applies).
  const std::size_t line_limit = process::result_marker.size() + data[1] % 32;
  std::string_view streams = ork::fuzz::as_text(data + 2, size - 2);
  std::size_t separator = streams.find('\xff');
  std::string_view out = streams.substr(0, separator);
  std::string_view err = separator == std::string_view::npos ? std::string_view() : streams.substr(separator + 1);

  check_splitter(out, chunk, line_limit);
  // Per-stream order is what must not depend on chunking; the interleaving of
  // the two streams in the log may.
  Outcome whole = run_task_output(out, {}, out.size() + 1);
  ORK_FUZZ_CHECK(run_task_output(out, {}, chunk) == whole);
  (void)run_task_output(out, err, chunk);
  return 0;
}
