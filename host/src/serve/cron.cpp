#include "serve/cron.hpp"

#include "core/error.hpp"

#include <date/tz.h>

#include <cstdlib>

namespace ork::host {

namespace {

// The longest gap between two fire times of a valid expression is a
// 29 February that must also be a given weekday: 40 years in the Gregorian
// calendar ("0 0 29 2 */7", Sundays only, fires in 2088, then in 2128).
constexpr int search_days = 41 * 366;

const date::time_zone* find_zone(std::string_view timezone);

}  // namespace

CronSchedule CronSchedule::parse(std::string_view expression, std::string_view timezone) {
  std::variant<CronFields, std::string> fields = parse_cron(expression);
  if (std::string* problem = std::get_if<std::string>(&fields)) {
    throw Error(ErrorKind::invalid_workflow, "schedule \"" + std::string(expression) + "\": " + *problem);
  }
  CronSchedule schedule;
  schedule.expression_ = std::string(expression);
  schedule.fields_ = std::get<CronFields>(fields);
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
    if (!fields_.months.test(static_cast<std::size_t>(month)) || !day_matches(day_of_month, weekday)) continue;
    for (int hour = 0; hour < 24; ++hour) {
      if (!fields_.hours.test(static_cast<std::size_t>(hour))) continue;
      for (int minute = 0; minute < 60; ++minute) {
        if (!fields_.minutes.test(static_cast<std::size_t>(minute))) continue;
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
  const bool day_ok = fields_.days.test(static_cast<std::size_t>(day_of_month));
  const bool weekday_ok = fields_.weekdays.test(static_cast<std::size_t>(weekday));
  // Vixie cron: a field starting with '*' ("*", "*/10") makes both fields
  // apply; only when both are restricted is either one matching enough.
  if (fields_.days_start_with_star || fields_.weekdays_start_with_star) return day_ok && weekday_ok;
  return day_ok || weekday_ok;
}

namespace {

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
