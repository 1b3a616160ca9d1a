// Cron schedules for `ork serve`: parses a workflow's 5-field `schedule:`
// (minute hour day-of-month month day-of-week; `*`, `*/n`, `a-b`, `a-b/n`,
// `a/n`, lists, month and weekday names) and computes fire times in the
// workflow's `timezone:` (an IANA name) or the machine's local zone. Fire
// times are found on the civil clock of that zone, so DST is handled the way
// Vixie cron does: a time skipped by a spring-forward fires at the jump, a
// time repeated by a fall-back fires once. Used by the schedule loop
// (serve/schedule_loop.hpp) and the API (next scheduled time).
#pragma once

#include "store/store.hpp"

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace ork::host {

class CronSchedule {
 public:
  // Throws Error(invalid_workflow) saying which field is wrong, or which
  // time zone is unknown. An empty `timezone` means the local zone ($TZ if
  // set, else /etc/localtime, else UTC).
  static CronSchedule parse(std::string_view expression, std::string_view timezone = "");

  // The first fire time strictly after `after`; nullopt when there is none in
  // the next eight years (e.g. "0 0 31 2 *").
  std::optional<Millis> next_after(Millis after) const;

  const std::string& expression() const { return expression_; }
  const std::string& timezone_name() const;

 private:
  CronSchedule() = default;
  bool day_matches(int day_of_month, int weekday) const;

  std::string expression_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1..31
  std::bitset<13> months_;    // 1..12
  std::bitset<7> weekdays_;   // 0 = Sunday
  bool any_day_ = true;       // day-of-month field starts with '*'
  bool any_weekday_ = true;   // day-of-week field starts with '*'
  const date::time_zone* zone_ = nullptr;
};

}  // namespace ork::host
