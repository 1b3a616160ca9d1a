// Cron schedules for `ork serve`: computes the fire times of a workflow's
// 5-field `schedule:` (parsed by workflow/cron_check.hpp, the parser the
// compiler validates with) in the workflow's `timezone:` (an IANA name) or
// the machine's local zone. Fire times are found on the civil clock of that
// zone: a civil time skipped by a spring-forward fires once, at the jump; a
// civil time repeated by a fall-back fires once, at its first occurrence.
// Used by the schedule loop (serve/schedule_loop.hpp) and the API (next
// scheduled time).
#pragma once

#include "store/store.hpp"
#include "workflow/cron_check.hpp"

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
  // the next 41 years, i.e. never (e.g. "0 0 31 2 *").
  std::optional<Millis> next_after(Millis after) const;

  const std::string& expression() const { return expression_; }
  const std::string& timezone_name() const;

 private:
  CronSchedule() = default;
  bool day_matches(int day_of_month, int weekday) const;

  std::string expression_;
  CronFields fields_;
  const date::time_zone* zone_ = nullptr;
};

}  // namespace ork::host
