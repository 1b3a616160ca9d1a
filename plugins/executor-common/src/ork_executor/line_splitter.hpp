// Cuts a child's output byte stream into log lines, the way every executor
// plugin (process, python, library) reads its tasks' stdout and stderr.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace ork::plugins::executor {

// "\n" ends a line, a "\r" before it is dropped, and a last line without "\n"
// is a line too. A line longer than `line_limit` keeps only its first
// `line_limit` bytes (the handler is told how many were dropped), except a
// line starting with `exempt_prefix`, which may grow to `exempt_limit`. Both
// limits must be at least the prefix's length: that much of a line is read
// before the splitter knows which limit applies. With `split_long_lines`,
// nothing is dropped: an overlong line is handed over in pieces of the limit's
// length instead.
class LineSplitter {
 public:
  struct Limits {
    std::size_t line_limit;
    std::string_view exempt_prefix = {};  // empty: no exemption
    std::size_t exempt_limit = 0;
    bool split_long_lines = false;
  };
  // Receives each line and how many of its bytes were dropped.
  using LineHandler = std::function<void(std::string_view line, std::size_t dropped)>;

  LineSplitter(Limits limits, LineHandler handler);

  void feed(std::string_view bytes);
  // End of stream: hands over a last line that had no "\n".
  void finish();

 private:
  void append(std::string_view piece);
  void end_line(std::string_view line);
  std::size_t limit_for_current() const;

  Limits limits_;
  LineHandler handler_;
  std::string current_;  // the unfinished line
  std::size_t dropped_ = 0;
};

}  // namespace ork::plugins::executor
