// Fuzz target: cron expressions — the compile-time check (cron_problem) and
// the schedule of `ork serve` (CronSchedule). The first line is the
// expression; the first byte of the rest picks a time zone from a fixed list
// (the zone parser is the tz library's, not ours) and the next eight bytes a
// start time. Properties: the two parsers agree on what is valid; a fire time
// is strictly after the time asked about, and asking again from it moves on.
#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "serve/cron.hpp"
#include "workflow/cron_check.hpp"

#include <array>
#include <cstring>
#include <optional>
#include <string>

namespace {

constexpr std::array<const char*, 6> zones{"UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe",
                                           "Asia/Kathmandu", "Pacific/Chatham"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [expression, rest] = ork::fuzz::first_line(ork::fuzz::as_text(data, size));
  const char* zone = zones[rest.empty() ? 0 : static_cast<unsigned char>(rest[0]) % zones.size()];
  // From 1970 to about 2100, whatever the bytes.
  std::int64_t start = 1'700'000'000'000;
  if (rest.size() >= 9) {
    std::uint64_t raw = 0;
    std::memcpy(&raw, rest.data() + 1, sizeof raw);
    start = static_cast<std::int64_t>(raw % 4'102'444'800'000ULL);
  }

  std::optional<std::string> problem = ork::host::cron_problem(expression);
  std::optional<ork::host::CronSchedule> schedule;
  try {
    schedule = ork::host::CronSchedule::parse(expression, zone);
  } catch (const ork::host::Error& e) {
    ORK_FUZZ_CHECK(problem.has_value());
    return 0;
  }
  ORK_FUZZ_CHECK(!problem.has_value());
  std::optional<ork::host::Millis> next = schedule->next_after(start);
  if (next) {
    ORK_FUZZ_CHECK(*next > start);
    std::optional<ork::host::Millis> after = schedule->next_after(*next);
    if (after) ORK_FUZZ_CHECK(*after > *next);
  }
  return 0;
}
