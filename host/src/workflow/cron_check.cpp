#include "workflow/cron_check.hpp"

#include <array>
#include <charconv>
#include <sstream>
#include <vector>

namespace ork::host {

namespace {

struct CronField {
  const char* name;
  int min;
  int max;
  std::array<const char*, 12> names;  // e.g. JAN..DEC, indexed from `min`; empty when none
};

constexpr std::array<CronField, 5> cron_fields{{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day-of-week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}};

std::optional<std::string> field_problem(const CronField& field, const std::string& text);

}  // namespace

std::optional<std::string> cron_problem(std::string_view expression) {
  std::istringstream stream{std::string(expression)};
  std::vector<std::string> parts;
  for (std::string part; stream >> part;) parts.push_back(part);
  if (parts.size() != cron_fields.size()) {
    return "expected 5 fields (minute hour day-of-month month day-of-week), got " + std::to_string(parts.size()) +
           "; e.g. \"0 * * * *\" runs hourly";
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (std::optional<std::string> problem = field_problem(cron_fields[i], parts[i])) return problem;
  }
  return std::nullopt;
}

namespace {

std::optional<int> value_of(const CronField& field, std::string_view text);

std::optional<std::string> field_problem(const CronField& field, const std::string& text) {
  std::string prefix = std::string(field.name) + " field \"" + text + "\"";
  std::string range = std::to_string(field.min) + "-" + std::to_string(field.max);
  std::istringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    std::string_view body = item;
    if (std::size_t slash = body.find('/'); slash != std::string_view::npos) {
      std::optional<int> step = value_of(CronField{field.name, 1, 1 << 20, {}}, body.substr(slash + 1));
      if (!step) return prefix + " has a bad step after \"/\" (a positive number)";
      body = body.substr(0, slash);
    }
    if (body == "*") continue;
    std::size_t dash = body.find('-');
    std::string_view low = body.substr(0, dash);
    std::optional<int> first = value_of(field, low);
    if (!first) return prefix + " is not valid: expected *, a number in " + range + ", a range a-b, a step */n or a list";
    if (dash != std::string_view::npos) {
      std::optional<int> last = value_of(field, body.substr(dash + 1));
      if (!last || *last < *first) return prefix + " has a bad range (expected a-b with a <= b within " + range + ")";
    }
  }
  return std::nullopt;
}

std::optional<int> value_of(const CronField& field, std::string_view text) {
  if (text.size() == 3) {
    for (std::size_t i = 0; i < field.names.size() && field.names[i] != nullptr; ++i) {
      std::string_view name = field.names[i];
      bool same = true;
      for (std::size_t c = 0; c < 3; ++c) same = same && (text[c] | 0x20) == name[c];
      if (same) return field.min + static_cast<int>(i);
    }
  }
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < field.min || value > field.max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

}  // namespace ork::host
