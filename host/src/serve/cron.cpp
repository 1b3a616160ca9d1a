#include "serve/cron.hpp"

#include "core/error.hpp"
#include "workflow/cron_check.hpp"

#include <date/tz.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace ork::host {

namespace {

struct FieldRange {
  int min;
  int max;
  std::array<const char*, 12> names;  // indexed from `min`
};

constexpr FieldRange minute_field{0, 59, {}};
constexpr FieldRange hour_field{0, 23, {}};
constexpr FieldRange day_field{1, 31, {}};
constexpr FieldRange month_field{1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
constexpr FieldRange weekday_field{0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

// Eight years covers every valid expression, the longest gap being a
// 29 February that must also be a given weekday.
constexpr int search_days = 8 * 366;

std::uint64_t parse_field(const FieldRange& field, const std::string& text);
const date::time_zone* find_zone(std::string_view timezone);

}  // namespace

CronSchedule CronSchedule::parse(std::string_view expression, std::string_view timezone) {
  if (std::optional<std::string> problem = cron_problem(expression)) {
    throw Error(ErrorKind::invalid_workflow, "schedule \"" + std::string(expression) + "\": " + *problem);
  }
  std::istringstream stream{std::string(expression)};
  std::vector<std::string> parts;
  for (std::string part; stream >> part;) parts.push_back(part);

  CronSchedule schedule;
  schedule.expression_ = std::string(expression);
  schedule.minutes_ = std::bitset<60>(parse_field(minute_field, parts[0]));
  schedule.hours_ = std::bitset<24>(parse_field(hour_field, parts[1]));
  schedule.days_ = std::bitset<32>(parse_field(day_field, parts[2]));
  schedule.months_ = std::bitset<13>(parse_field(month_field, parts[3]));
  std::uint64_t weekdays = parse_field(weekday_field, parts[4]);
  if (weekdays & (1ULL << 7)) weekdays |= 1ULL;  // 7 is Sunday too
  schedule.weekdays_ = std::bitset<7>(weekdays & 0x7f);
  schedule.any_day_ = parts[2].starts_with('*');
  schedule.any_weekday_ = parts[4].starts_with('*');
  schedule.zone_ = find_zone(timezone);
  return schedule;
}

std::optional<Millis> CronSchedule::next_after(Millis after) const {
  using namespace std::chrono;
  const sys_time<milliseconds> after_time{milliseconds(after)};
  const date::local_time<minutes> start =
      floor<minutes>(zone_->to_local(after_time)) + minutes(1);
  const date::local_days first_day = floor<date::days>(start);

  for (int offset = 0; offset < search_days; ++offset) {
    const date::local_days day = first_day + date::days(offset);
    const date::year_month_day ymd{day};
    const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    const int day_of_month = static_cast<int>(static_cast<unsigned>(ymd.day()));
    const int weekday = static_cast<int>(date::weekday{day}.c_encoding());
    if (!months_.test(static_cast<std::size_t>(month)) || !day_matches(day_of_month, weekday)) continue;
    for (int hour = 0; hour < 24; ++hour) {
      if (!hours_.test(static_cast<std::size_t>(hour))) continue;
      for (int minute = 0; minute < 60; ++minute) {
        if (!minutes_.test(static_cast<std::size_t>(minute))) continue;
        const date::local_time<minutes> candidate = day + hours(hour) + minutes(minute);
        if (candidate < start) continue;
        // A skipped civil time (spring forward) fires at the jump; a repeated
        // one (fall back) fires at its first occurrence only, because the
        // second maps back before `after` and is passed over.
        const date::local_info info = zone_->get_info(candidate);
        sys_time<minutes> fire;
        if (info.result == date::local_info::nonexistent) {
          fire = floor<minutes>(info.second.begin);
        } else {
          fire = sys_time<minutes>{candidate.time_since_epoch() - duration_cast<minutes>(info.first.offset)};
        }
        const Millis fire_ms = duration_cast<milliseconds>(fire.time_since_epoch()).count();
        if (fire_ms > after) return fire_ms;
      }
    }
  }
  return std::nullopt;
}

const std::string& CronSchedule::timezone_name() const { return zone_->name(); }

bool CronSchedule::day_matches(int day_of_month, int weekday) const {
  const bool day_ok = days_.test(static_cast<std::size_t>(day_of_month));
  const bool weekday_ok = weekdays_.test(static_cast<std::size_t>(weekday));
  // Vixie cron: when both fields are restricted, either one matching is enough.
  if (any_day_ && any_weekday_) return true;
  if (any_day_) return weekday_ok;
  if (any_weekday_) return day_ok;
  return day_ok || weekday_ok;
}

namespace {

int value_of(const FieldRange& field, std::string_view text) {
  if (text.size() == 3) {
    for (std::size_t i = 0; i < field.names.size() && field.names[i] != nullptr; ++i) {
      std::string_view name = field.names[i];
      bool same = true;
      for (std::size_t c = 0; c < 3; ++c) same = same && (text[c] | 0x20) == name[c];
      if (same) return field.min + static_cast<int>(i);
    }
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);  // validated by cron_problem already
  return value;
}

// One bit per allowed value. The syntax was checked by cron_problem, so this
// only has to interpret it.
std::uint64_t parse_field(const FieldRange& field, const std::string& text) {
  std::uint64_t mask = 0;
  std::istringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    std::string_view body = item;
    int step = 1;
    bool stepped = false;
    if (std::size_t slash = body.find('/'); slash != std::string_view::npos) {
      std::string_view step_text = body.substr(slash + 1);
      std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      stepped = true;
      body = body.substr(0, slash);
    }
    int first = field.min;
    int last = field.max;
    if (body != "*") {
      std::size_t dash = body.find('-');
      first = value_of(field, body.substr(0, dash));
      if (dash != std::string_view::npos) {
        last = value_of(field, body.substr(dash + 1));
      } else if (!stepped) {
        last = first;  // "5" alone; "5/15" means from 5 to the end, every 15
      }
    }
    if (field.max == 7 && body == "*") last = 6;  // "*/2" on weekdays must not count Sunday twice
    for (int v = first; v <= last; v += std::max(step, 1)) mask |= 1ULL << v;
  }
  return mask;
}

const date::time_zone* find_zone(std::string_view timezone) {
  std::string name(timezone);
  if (name.empty()) {
    if (const char* tz = std::getenv("TZ"); tz && *tz) name = *tz == ':' ? tz + 1 : tz;
  }
  if (!name.empty()) {
    try {
      return date::locate_zone(name);
    } catch (const std::exception&) {
      if (!timezone.empty()) {
        throw Error(ErrorKind::invalid_workflow,
                    "unknown timezone \"" + name + "\": use an IANA name such as \"Europe/Paris\" or \"UTC\"");
      }
    }
  }
  try {
    return date::current_zone();
  } catch (const std::exception&) {
    return date::locate_zone("UTC");  // no /etc/localtime (e.g. a bare container)
  }
}

}  // namespace

}  // namespace ork::host
