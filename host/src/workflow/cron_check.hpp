// A minimal check of a workflow's `schedule:` at compile time: five fields,
// each made of `*`, numbers, ranges, steps and lists within its range (month
// and weekday names allowed). Computing fire times is the scheduler's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ork::host {

// nullopt when `expression` is a valid 5-field cron expression; otherwise what
// is wrong with it, e.g. `hour field "25" is not valid: expected *, a number in 0-23, ...`.
std::optional<std::string> cron_problem(std::string_view expression);

}  // namespace ork::host
