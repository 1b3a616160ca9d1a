#include "workflow/duration.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

namespace ork::host {

namespace {

std::optional<double> parse_number(std::string_view text, std::size_t& pos);
std::optional<double> unit_milliseconds(std::string_view text, std::size_t& pos);

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t pos = 0;
  std::optional<double> bare = parse_number(text, pos);
  if (bare && pos == text.size()) return std::chrono::milliseconds(std::llround(*bare * 1000.0));
  pos = 0;
  double total = 0;
  while (pos < text.size()) {
    std::optional<double> amount = parse_number(text, pos);
    if (!amount) return std::nullopt;
    std::optional<double> unit = unit_milliseconds(text, pos);
    if (!unit) return std::nullopt;
    total += *amount * *unit;
  }
  return std::chrono::milliseconds(std::llround(total));
}

std::string format_duration(std::chrono::milliseconds duration) {
  long long ms = duration.count();
  if (ms <= 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  long long seconds = ms / 1000;
  std::string text;
  const std::pair<long long, const char*> units[] = {{86'400, "d"}, {3'600, "h"}, {60, "m"}, {1, "s"}};
  for (const auto& [size, unit] : units) {
    if (seconds >= size) {
      text += std::to_string(seconds / size) + unit;
      seconds %= size;
    }
  }
  return text;
}

namespace {

// A non-negative decimal number at `pos`; advances `pos` past it.
std::optional<double> parse_number(std::string_view text, std::size_t& pos) {
  std::size_t start = pos;
  while (pos < text.size() && ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.')) ++pos;
  if (pos == start) return std::nullopt;
  double value = 0;
  auto [end, error] = std::from_chars(text.data() + start, text.data() + pos, value);
  if (error != std::errc() || end != text.data() + pos) return std::nullopt;
  return value;
}

std::optional<double> unit_milliseconds(std::string_view text, std::size_t& pos) {
  std::size_t start = pos;
  while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
  std::string_view unit = text.substr(start, pos - start);
  if (unit == "ms") return 1.0;
  if (unit == "s") return 1000.0;
  if (unit == "m") return 60'000.0;
  if (unit == "h") return 3'600'000.0;
  if (unit == "d") return 86'400'000.0;
  return std::nullopt;
}

}  // namespace

}  // namespace ork::host
