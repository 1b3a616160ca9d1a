// The one parser of cron expressions and time zone names. The workflow
// compiler uses it to refuse a bad `schedule:` or `timezone:` with a message
// saying what is wrong; `ork serve` (serve/cron.hpp) uses the same parsed
// fields to compute fire times, so what validates is exactly what runs.
// Five fields: minute hour day-of-month month day-of-week, each a list of
// `*`, numbers, ranges `a-b`, steps `*/n`, `a-b/n`, `a/n` (from a to the end),
// with month (JAN..DEC) and weekday (SUN..SAT) names; weekday 7 is Sunday.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ork::host {

// The values each field allows, one bit per value.
struct CronFields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 = Sunday
  // Whether the day-of-month / day-of-week text starts with `*` (`*`, `*/10`).
  // As in Vixie cron, when either does, a day must match both fields; when
  // neither does, matching either is enough ("0 0 13 * fri": the 13th and
  // every Friday).
  bool days_start_with_star = true;
  bool weekdays_start_with_star = true;
};

// The fields of `expression`, or what is wrong with it, e.g.
// `hour field "25" is not valid: expected *, a number in 0-23, ...`.
std::variant<CronFields, std::string> parse_cron(std::string_view expression);

// nullopt when `expression` is a valid 5-field cron expression; otherwise what
// is wrong with it (the message of parse_cron).
std::optional<std::string> cron_problem(std::string_view expression);

// nullopt when `name` is a zone of the IANA time zone database (e.g. "UTC",
// "Europe/Paris"); otherwise what is wrong, with a did-you-mean when a zone
// name is close. Never looks at files outside the database: a path such as
// "/etc/passwd" is refused the same way whether or not it exists.
std::optional<std::string> timezone_problem(std::string_view name);

}  // namespace ork::host
