// Differential test of ork's cron against an independent implementation:
// thousands of random valid expressions (lists, ranges, steps, `*/n`, month
// and weekday names) in zones with and without daylight saving time, from
// start times spread over 2019-2031 and clustered around DST transitions;
// the next fire times from CronSchedule must equal those computed by
// tests/api/cron_reference.py with Debian's python3-croniter. The reference
// script explains the two documented semantic differences it bridges (the
// day-of-month/day-of-week rule and DST). Deterministic: a fixed seed.
#include "e2e_support.hpp"
#include "serve/cron.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ork::test {
namespace {

using host::CronSchedule;
using host::Millis;

constexpr int expression_count = 2000;
constexpr int starts_per_expression = 3;
constexpr int fires_per_start = 3;

const std::array<const char*, 8> zones{"UTC",           "America/New_York",  "Europe/London",    "Australia/Lord_Howe",
                                       "Asia/Kolkata",  "Pacific/Chatham",   "America/Sao_Paulo", "Europe/Paris"};

struct Field {
  int min;
  int max;
  std::vector<std::string> names;  // indexed from `min`
};

const Field minute_field{0, 59, {}};
const Field hour_field{0, 23, {}};
const Field day_field{1, 31, {}};
const Field month_field{1, 12, {"JAN", "feb", "Mar", "APR", "may", "JUN", "jul", "AUG", "sep", "OCT", "nov", "Dec"}};
const Field weekday_field{0, 7, {"SUN", "mon", "Tue", "WED", "thu", "FRI", "sat"}};

// Random valid expressions and start times. std::mt19937_64's sequence is
// fixed by the standard (its distributions are not, hence `pick`).
class CaseGenerator {
 public:
  std::string expression() {
    return field(minute_field) + " " + field(hour_field) + " " + field(day_field) + " " + field(month_field) + " " +
           field(weekday_field);
  }

  const char* zone() { return zones[static_cast<std::size_t>(pick(0, static_cast<int>(zones.size()) - 1))]; }

  // Half anywhere in 2019-2031, half within a day and a half of a DST
  // transition of `zone`; not on a whole minute.
  Millis start(const char* zone_name) {
    const std::int64_t from = 1546300800;  // 2019-01-01
    const std::int64_t to = 1956528000;    // 2032-01-01
    std::int64_t seconds = from + pick64(0, to - from);
    if (pick(0, 1) == 1) {
      const date::time_zone* zone = date::locate_zone(zone_name);
      const date::sys_info info = zone->get_info(date::sys_seconds{std::chrono::seconds(seconds)});
      const std::int64_t transition = info.end.time_since_epoch().count();
      if (transition < to) seconds = transition + pick64(-36 * 3600, 2 * 3600);
    }
    return seconds * 1000 + pick(0, 999);
  }

 private:
  std::string field(const Field& f) {
    if (pick(0, 9) < 3) return "*";
    std::string text;
    for (int items = pick(1, 3); items > 0; --items) text += (text.empty() ? "" : ",") + item(f);
    return text;
  }

  std::string item(const Field& f) {
    const int span = f.max - f.min + 1;
    int low = pick(f.min, f.max);
    int high = pick(low, f.max);
    switch (pick(0, 5)) {
      case 0: return "*/" + std::to_string(pick(1, span));
      case 1: return value(f, low);
      case 2: return value(f, low) + "-" + value(f, high);
      case 3: return value(f, low) + "-" + value(f, high) + "/" + std::to_string(pick(1, span));
      case 4: return value(f, low) + "/" + std::to_string(pick(1, span));
      default: return value(f, f.min) + "-" + value(f, f.max - pick(0, f.max == 7 ? 1 : 0));  // every value, no '*'
    }
  }

  std::string value(const Field& f, int v) {
    const auto index = static_cast<std::size_t>(v - f.min);
    if (index < f.names.size() && pick(0, 1) == 1) return f.names[index];
    return std::to_string(v);
  }

  int pick(int low, int high) { return static_cast<int>(pick64(low, high)); }
  std::int64_t pick64(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(high - low + 1));
  }

  std::mt19937_64 rng_{20260610};
};

struct Case {
  std::string expression;
  const char* zone;
  std::vector<Millis> starts;
};

std::vector<Case> make_cases() {
  // Hand-picked first: the bug of issue 10 and the day-rule corner cases.
  std::vector<Case> cases;
  for (const char* expression : {"0 0 */10 * *", "0 0 * * */2", "0 0 */10 * mon", "0 0 1-31 * mon", "0 0 13 * fri",
                                 "30 2 * * *", "*/15 1-3 * * *", "0 0 29 2 */7", "45 2 29 2 *"}) {
    for (const char* zone : zones) cases.push_back({expression, zone, {1735689600123, 1772870400456, 1792800000789}});
  }
  CaseGenerator generate;
  for (int i = 0; i < expression_count; ++i) {
    Case c{generate.expression(), generate.zone(), {}};
    for (int s = 0; s < starts_per_expression; ++s) c.starts.push_back(generate.start(c.zone));
    cases.push_back(std::move(c));
  }
  return cases;
}

// Runs the reference script on all cases at once: one line out per case.
std::vector<std::string> reference_fire_times(const std::vector<Case>& cases, const TempDir& dir) {
  std::ostringstream input;
  for (const Case& c : cases) {
    boost::json::array starts(c.starts.begin(), c.starts.end());
    input << boost::json::serialize(boost::json::object{
                 {"expression", c.expression}, {"zone", c.zone}, {"starts", starts}, {"count", fires_per_start}})
          << "\n";
  }
  const std::filesystem::path cases_file = dir.write("cases.jsonl", input.str());
  const std::filesystem::path out = dir.path() / "reference.jsonl";
  const std::filesystem::path err = dir.path() / "reference.err";
  const std::string command = std::string(ORK_PYTHON) + " " + ORK_SOURCE_DIR + "/tests/api/cron_reference.py < " +
                              cases_file.string() + " > " + out.string() + " 2> " + err.string();
  const int status = std::system(command.c_str());
  std::ifstream err_stream(err);
  std::string err_text((std::istreambuf_iterator<char>(err_stream)), std::istreambuf_iterator<char>());
  if (status != 0) {
    ADD_FAILURE() << command << " failed:\n"
                  << err_text
                  << "\nThe reference needs Debian's python3-croniter: scripts/setup.sh --with-test-tools installs it.";
    return {};
  }
  std::ifstream lines(out);
  std::vector<std::string> result;
  for (std::string line; std::getline(lines, line);) result.push_back(line);
  return result;
}

std::string ork_fire_times(const Case& c) {
  const CronSchedule schedule = CronSchedule::parse(c.expression, c.zone);
  boost::json::array per_start;
  for (Millis after : c.starts) {
    boost::json::array fires;
    for (int i = 0; i < fires_per_start; ++i) {
      std::optional<Millis> fire = schedule.next_after(after);
      if (!fire) break;
      fires.push_back(*fire);
      after = *fire;
    }
    per_start.push_back(fires);
  }
  return boost::json::serialize(per_start);
}

std::string describe(const std::string& fires_json) {
  std::string text;
  const boost::json::value parsed = boost::json::parse(fires_json);
  for (const boost::json::value& start : parsed.as_array()) {
    text += "\n    ";
    for (const boost::json::value& fire : start.as_array()) text += host::iso8601(fire.as_int64()) + " ";
  }
  return text;
}

TEST(CronDifferential, AgreesWithCroniterOnGeneratedExpressions) {
  const std::vector<Case> cases = make_cases();
  TempDir dir;
  const std::vector<std::string> reference = reference_fire_times(cases, dir);
  ASSERT_EQ(reference.size(), cases.size());
  int mismatches = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string ours = ork_fire_times(cases[i]);
    if (boost::json::parse(ours) == boost::json::parse(reference[i])) continue;
    if (++mismatches > 10) continue;
    std::string starts;
    for (Millis start : cases[i].starts) starts += host::iso8601(start) + " ";
    ADD_FAILURE() << "\"" << cases[i].expression << "\" in " << cases[i].zone << " from " << starts
                  << "\n  ork:" << describe(ours) << "\n  croniter:" << describe(reference[i]);
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " expressions";
}

}  // namespace
}  // namespace ork::test
