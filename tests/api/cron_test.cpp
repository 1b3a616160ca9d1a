// Fire times of cron schedules: steps, ranges, lists, names, the
// day-of-month/day-of-week rule, and DST in a named zone.
#include "core/error.hpp"
#include "serve/cron.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

using host::CronSchedule;
using host::Millis;

// "2026-03-29T01:59:00Z" -> ms, parsed by the code under test's own ISO printer in reverse.
Millis at(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return static_cast<Millis>(timegm(&tm)) * 1000;
}

std::string next_iso(const CronSchedule& c, Millis after) { return host::iso8601(*c.next_after(after)); }

TEST(Cron, EveryFiveMinutes) {
  CronSchedule c = CronSchedule::parse("*/5 * * * *", "UTC");
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 10, 2)), "2026-01-01T10:05:00.000Z");
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 10, 5)), "2026-01-01T10:10:00.000Z") << "strictly after";
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 23, 58)), "2026-01-02T00:00:00.000Z");
}

TEST(Cron, RangesListsAndSteps) {
  CronSchedule c = CronSchedule::parse("0,30 9-17/4 * * *", "UTC");  // 9, 13, 17 h
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 9, 0)), "2026-01-01T09:30:00.000Z");
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 9, 30)), "2026-01-01T13:00:00.000Z");
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 17, 30)), "2026-01-02T09:00:00.000Z");
  CronSchedule from = CronSchedule::parse("10/20 * * * *", "UTC");  // 10, 30, 50
  EXPECT_EQ(next_iso(from, at(2026, 1, 1, 0, 31)), "2026-01-01T00:50:00.000Z");
}

TEST(Cron, MonthAndWeekdayNames) {
  CronSchedule c = CronSchedule::parse("0 8 * FEB mon-fri", "UTC");
  // 2026-01-31 is a Saturday; 2026-02-02 the first weekday of February.
  EXPECT_EQ(next_iso(c, at(2026, 1, 15, 0, 0)), "2026-02-02T08:00:00.000Z");
  EXPECT_EQ(next_iso(c, at(2026, 2, 6, 8, 0)), "2026-02-09T08:00:00.000Z") << "Friday -> Monday";
  CronSchedule sunday = CronSchedule::parse("0 0 * * 7", "UTC");
  EXPECT_EQ(next_iso(sunday, at(2026, 1, 1, 0, 0)), "2026-01-04T00:00:00.000Z");
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  CronSchedule c = CronSchedule::parse("0 0 13 * fri", "UTC");  // the 13th, and every Friday
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 0, 0)), "2026-01-02T00:00:00.000Z");  // Friday 2nd
  EXPECT_EQ(next_iso(c, at(2026, 1, 9, 0, 0)), "2026-01-13T00:00:00.000Z");  // Tuesday 13th
}

TEST(Cron, StarStepsInDayFieldsAreRestrictions) {
  // Issue 10, finding 8: "*/10" fired every day because it starts with '*'.
  CronSchedule tenth = CronSchedule::parse("0 0 */10 * *", "UTC");  // days 1, 11, 21, 31
  EXPECT_EQ(next_iso(tenth, at(2026, 1, 1, 0, 0)), "2026-01-11T00:00:00.000Z");
  EXPECT_EQ(next_iso(tenth, at(2026, 1, 21, 0, 0)), "2026-01-31T00:00:00.000Z");
  EXPECT_EQ(next_iso(tenth, at(2026, 1, 31, 0, 0)), "2026-02-01T00:00:00.000Z");
  CronSchedule other = CronSchedule::parse("0 0 * * */2", "UTC");  // Sun, Tue, Thu, Sat
  EXPECT_EQ(next_iso(other, at(2026, 1, 1, 0, 0)), "2026-01-03T00:00:00.000Z");  // Thursday 1st -> Saturday
  EXPECT_EQ(next_iso(other, at(2026, 1, 4, 0, 0)), "2026-01-06T00:00:00.000Z");  // Sunday -> Tuesday
  // Vixie cron: a day field starting with '*' makes both apply, so this is the
  // 1st, 11th, 21st or 31st when it is also a Monday.
  CronSchedule both = CronSchedule::parse("0 0 */10 * mon", "UTC");
  EXPECT_EQ(next_iso(both, at(2026, 1, 1, 0, 0)), "2026-05-11T00:00:00.000Z");
}

TEST(Cron, FindsFireTimesDecadesAway) {
  // A Sunday 29 February: 2032, ..., 2088, then not before 2128.
  CronSchedule c = CronSchedule::parse("0 0 29 2 */7", "UTC");
  EXPECT_EQ(next_iso(c, at(2026, 1, 1, 0, 0)), "2032-02-29T00:00:00.000Z");
  EXPECT_EQ(next_iso(c, at(2088, 3, 1, 0, 0)), "2128-02-29T00:00:00.000Z");
}

TEST(Cron, LeapDayAndImpossibleDates) {
  CronSchedule leap = CronSchedule::parse("0 0 29 2 *", "UTC");
  EXPECT_EQ(next_iso(leap, at(2026, 1, 1, 0, 0)), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(CronSchedule::parse("0 0 31 2 *", "UTC").next_after(at(2026, 1, 1, 0, 0)), std::nullopt);
}

TEST(Cron, NamedZoneAcrossDaylightSavingTime) {
  // Europe/Paris: 2026-03-29 02:00 local jumps to 03:00 (01:00Z); 2026-10-25 03:00 falls back to 02:00 (01:00Z).
  CronSchedule daily = CronSchedule::parse("30 2 * * *", "Europe/Paris");
  EXPECT_EQ(next_iso(daily, at(2026, 3, 28, 12, 0)), "2026-03-29T01:00:00.000Z") << "skipped time fires at the jump";
  EXPECT_EQ(next_iso(daily, at(2026, 3, 29, 1, 0)), "2026-03-30T00:30:00.000Z") << "and only once";
  EXPECT_EQ(next_iso(daily, at(2026, 10, 24, 12, 0)), "2026-10-25T00:30:00.000Z") << "repeated time: first one";
  EXPECT_EQ(next_iso(daily, at(2026, 10, 25, 0, 30)), "2026-10-26T01:30:00.000Z") << "not again an hour later";
  CronSchedule nine = CronSchedule::parse("0 9 * * *", "Europe/Paris");
  EXPECT_EQ(next_iso(nine, at(2026, 1, 10, 12, 0)), "2026-01-11T08:00:00.000Z");  // UTC+1 in winter
  EXPECT_EQ(next_iso(nine, at(2026, 7, 10, 12, 0)), "2026-07-11T07:00:00.000Z");  // UTC+2 in summer
  EXPECT_EQ(nine.timezone_name(), "Europe/Paris");
}

TEST(Cron, RefusesBadExpressionsAndUnknownZones) {
  EXPECT_THROW(CronSchedule::parse("61 * * * *", "UTC"), host::Error);
  EXPECT_THROW(CronSchedule::parse("* * * *", "UTC"), host::Error);
  EXPECT_THROW(CronSchedule::parse("* * * * *", "/etc/passwd"), host::Error) << "a path is not a zone";
  try {
    CronSchedule::parse("* * * * *", "Mars/Olympus");
    FAIL() << "unknown zone accepted";
  } catch (const host::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Mars/Olympus"), std::string::npos);
  }
}

}  // namespace
}  // namespace ork::test
