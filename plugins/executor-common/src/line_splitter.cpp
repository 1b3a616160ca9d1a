#include "ork_executor/line_splitter.hpp"

#include <algorithm>
#include <utility>

namespace ork::plugins::executor {
namespace {

std::string_view without_carriage_return(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

}  // namespace

LineSplitter::LineSplitter(Limits limits, LineHandler handler) : limits_(limits), handler_(std::move(handler)) {}

void LineSplitter::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      append(bytes);
      return;
    }
    std::string_view piece = bytes.substr(0, newline);
    bytes.remove_prefix(newline + 1);
    if (current_.empty() && dropped_ == 0 && piece.size() <= limits_.line_limit) {
      end_line(piece);  // the common case: a whole short line inside one read, no copy
      continue;
    }
    append(piece);
    end_line(current_);
  }
}

void LineSplitter::finish() {
  if (!current_.empty() || dropped_ > 0) end_line(current_);
}

void LineSplitter::append(std::string_view piece) {
  if (dropped_ > 0) {
    dropped_ += piece.size();
    return;
  }
  // Take enough bytes to know whether the line is exempt before choosing its limit.
  if (current_.size() < limits_.exempt_prefix.size()) {
    std::size_t head = std::min(piece.size(), limits_.exempt_prefix.size() - current_.size());
    current_.append(piece.substr(0, head));
    piece.remove_prefix(head);
  }
  std::size_t limit = limit_for_current();
  while (limits_.split_long_lines && current_.size() + piece.size() > limit) {
    std::size_t room = limit > current_.size() ? limit - current_.size() : 0;
    current_.append(piece.substr(0, room));
    piece.remove_prefix(room);
    handler_(current_, 0);  // a piece of a longer line: its "\r" (if any) is not a line end
    current_.clear();
  }
  std::size_t room = limit > current_.size() ? limit - current_.size() : 0;
  std::size_t kept = std::min(room, piece.size());
  current_.append(piece.substr(0, kept));
  dropped_ += piece.size() - kept;
}

void LineSplitter::end_line(std::string_view line) {
  std::size_t dropped = dropped_;
  handler_(dropped == 0 ? without_carriage_return(line) : line, dropped);
  current_.clear();
  dropped_ = 0;
}

std::size_t LineSplitter::limit_for_current() const {
  const std::string_view prefix = limits_.exempt_prefix;
  bool exempt = !prefix.empty() && std::string_view(current_).starts_with(prefix);
  return exempt ? limits_.exempt_limit : limits_.line_limit;
}

}  // namespace ork::plugins::executor
