#include "workflow/cron_check.hpp"

#include "workflow/suggest.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
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

// One bit per allowed value of a field, or what is wrong with its text.
using FieldBits = std::variant<std::uint64_t, std::string>;

FieldBits parse_field(const CronField& field, const std::string& text);
std::optional<std::string> zone_name_problem(std::string_view name);

}  // namespace

std::variant<CronFields, std::string> parse_cron(std::string_view expression) {
  std::istringstream stream{std::string(expression)};
  std::vector<std::string> parts;
  for (std::string part; stream >> part;) parts.push_back(part);
  if (parts.size() != cron_fields.size()) {
    return "expected 5 fields (minute hour day-of-month month day-of-week), got " + std::to_string(parts.size()) +
           "; e.g. \"0 * * * *\" runs hourly";
  }
  std::array<std::uint64_t, 5> bits{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    FieldBits field = parse_field(cron_fields[i], parts[i]);
    if (std::string* problem = std::get_if<std::string>(&field)) return *problem;
    bits[i] = std::get<std::uint64_t>(field);
  }
  if (bits[4] & (1ULL << 7)) bits[4] |= 1ULL;  // 7 is Sunday too
  CronFields fields;
  fields.minutes = std::bitset<60>(bits[0]);
  fields.hours = std::bitset<24>(bits[1]);
  fields.days = std::bitset<32>(bits[2]);
  fields.months = std::bitset<13>(bits[3]);
  fields.weekdays = std::bitset<7>(bits[4] & 0x7f);
  fields.days_start_with_star = parts[2].starts_with('*');
  fields.weekdays_start_with_star = parts[4].starts_with('*');
  return fields;
}

std::optional<std::string> cron_problem(std::string_view expression) {
  std::variant<CronFields, std::string> parsed = parse_cron(expression);
  if (std::string* problem = std::get_if<std::string>(&parsed)) return *problem;
  return std::nullopt;
}

std::optional<std::string> timezone_problem(std::string_view name) {
  const date::tzdb* database = nullptr;
  try {
    database = &date::get_tzdb();
  } catch (const std::exception&) {
    // No time zone database on this machine: `ork serve` will say so when it
    // loads the workflow; here only the shape of the name can be checked.
    return zone_name_problem(name);
  }
  std::vector<std::string> names;
  // With the system's database (USE_OS_TZDB), links such as "US/Eastern" are zones too.
  names.reserve(database->zones.size());
  for (const date::time_zone& zone : database->zones) names.push_back(zone.name());
  if (std::find(names.begin(), names.end(), name) != names.end()) return std::nullopt;
  std::string problem = "timezone \"" + std::string(name) + "\" is not a known IANA time zone (e.g. UTC, Europe/Paris)";
  if (name.empty()) return problem;
  std::string suggestion = did_you_mean(name, names);
  if (suggestion.empty()) {
    // "Paris" -> "Europe/Paris": the city alone is a common slip.
    std::vector<std::string> cities;
    for (const std::string& candidate : names) cities.push_back(candidate.substr(candidate.rfind('/') + 1));
    auto exact = std::find(cities.begin(), cities.end(), name);
    std::optional<std::string> city = exact != cities.end() ? std::optional(*exact) : closest_match(name, cities);
    if (city) {
      std::size_t index = static_cast<std::size_t>(std::find(cities.begin(), cities.end(), *city) - cities.begin());
      suggestion = " (did you mean \"" + names[index] + "\"?)";
    }
  }
  return problem + suggestion;
}

namespace {

std::optional<int> value_of(const CronField& field, std::string_view text);

// `*` is the whole range, except that on weekdays it stops at 6 so that
// "*/n" does not count Sunday twice.
FieldBits parse_field(const CronField& field, const std::string& text) {
  std::string prefix = std::string(field.name) + " field \"" + text + "\"";
  std::string range = std::to_string(field.min) + "-" + std::to_string(field.max);
  std::uint64_t bits = 0;
  std::istringstream items(text);
  std::size_t item_count = 0;
  for (std::string item; std::getline(items, item, ',');) {
    ++item_count;
    std::string_view body = item;
    int step = 1;
    bool stepped = false;
    if (std::size_t slash = body.find('/'); slash != std::string_view::npos) {
      std::optional<int> parsed = value_of(CronField{field.name, 1, 1 << 20, {}}, body.substr(slash + 1));
      if (!parsed) return prefix + " has a bad step after \"/\" (a positive number)";
      step = *parsed;
      stepped = true;
      body = body.substr(0, slash);
    }
    int first = field.min;
    int last = field.max == 7 ? 6 : field.max;
    if (body != "*") {
      std::size_t dash = body.find('-');
      std::optional<int> low = value_of(field, body.substr(0, dash));
      if (!low) {
        return prefix + " is not valid: expected *, a number in " + range + ", a range a-b, a step */n or a list";
      }
      first = *low;
      last = stepped ? field.max : first;  // "5/15" means from 5 to the end, every 15
      if (dash != std::string_view::npos) {
        std::optional<int> high = value_of(field, body.substr(dash + 1));
        if (!high || *high < *low) return prefix + " has a bad range (expected a-b with a <= b within " + range + ")";
        last = *high;
      }
    }
    for (int v = first; v <= last; v += step) bits |= 1ULL << v;
  }
  if (item_count == 0 || text.back() == ',') {
    return prefix + " is not valid: expected *, a number in " + range + ", a range a-b, a step */n or a list";
  }
  return bits;
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
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < field.min ||
      value > field.max) {
    return std::nullopt;
  }
  return value;
}

// Letters, digits and "/_+-", not starting with "/" nor containing "..":
// the shape of every IANA name, and never a path outside the database.
std::optional<std::string> zone_name_problem(std::string_view name) {
  bool plausible = !name.empty() && name.front() != '/' && name.find("..") == std::string_view::npos &&
                   std::all_of(name.begin(), name.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '+' ||
                            c == '-';
                   });
  if (plausible) return std::nullopt;
  return "timezone \"" + std::string(name) + "\" is not a known IANA time zone (e.g. UTC, Europe/Paris)";
}

}  // namespace

}  // namespace ork::host
