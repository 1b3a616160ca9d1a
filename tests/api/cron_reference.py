"""Reference fire times for ork's cron differential test (cron_differential_test.cpp).

Reads cases as JSON lines {"expression", "zone", "starts", "count"} on stdin
and writes, per case, one JSON line: for each start (Unix ms), the next `count`
fire times (Unix ms) after it, fewer when croniter finds none within its
50-year horizon.

The calendar (which civil minutes match the five fields) comes from Debian's
python3-croniter, an implementation independent of ork. Known differences
are bridged here, each for a reason, rather than excluded:

- Days. croniter 1.3.5 skips the first matching day of a month when the
  previous month lacks a listed day ("0 10 1,30 * *" from 2019-02-07 gives
  2019-03-30, not 2019-03-01; "0 10 */5 * *" from 2028-02-27 gives
  2028-03-06), and raises for an OR of the day fields when one side never
  matches ("0 0 31 6 tue": 31 June). So croniter expands all five fields
  (lists, ranges, steps, names) and steps through minutes, hours and months
  ("m h * mon *"), while the day fields are applied here, from croniter's
  expanded sets, with Vixie cron's rule, which is ork's: the days must match
  both fields when either field's text starts with "*" ("*/10"), either
  field otherwise. (croniter's own rule differs: it ORs whenever neither
  field *expands* to every value, so "*/10" with "mon" is an OR and "1-31"
  with "mon" an AND for croniter, the reverse for Vixie cron.)
- Daylight saving time. croniter 1.3.5's time-zone-aware mode applies a "lag"
  heuristic that yields wrong instants around transitions (in
  America/New_York, "0 0 */10 * *" from 2026-03-07 gives 2026-03-10 23:00, and
  "30 2 * * *" gives the nonexistent 02:30 EST). So croniter runs on naive
  civil times of the zone, and each civil time becomes an instant by ork's
  documented rule (docs/serve.md, schedules): a civil time skipped by a
  spring-forward fires at the jump; a repeated one fires at its first
  occurrence only. The conversion uses Python's zoneinfo, which reads the
  system tz database with its own code, not the date library ork uses.
"""

import datetime
import json
import sys
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

UTC = datetime.timezone.utc
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)


def main() -> None:
    for line in sys.stdin:
        case = json.loads(line)
        calendar = CivilCalendar(str(case["expression"]))
        zone = ZoneInfo(str(case["zone"]))
        fires = [fire_times(calendar, zone, int(start), int(case["count"])) for start in case["starts"]]
        sys.stdout.write(json.dumps(fires) + "\n")


class CivilCalendar:
    """The civil minutes an expression matches, by Vixie cron's day rule."""

    def __init__(self, expression: str) -> None:
        fields = expression.split()
        self.day_or = not (fields[2].startswith("*") or fields[4].startswith("*"))
        # One croniter for all starts: building one costs far more than a step.
        self.times = croniter(" ".join(fields[:2] + ["*", fields[3], "*"]), datetime.datetime(2000, 1, 1))
        expanded = croniter.expand(expression)[0]
        self.days = set(range(1, 32)) if expanded[2] == ["*"] else {int(day) for day in expanded[2]}
        self.weekdays = set(range(7)) if expanded[4] == ["*"] else {int(day) % 7 for day in expanded[4]}

    def next_after(self, start: datetime.datetime) -> datetime.datetime | None:
        """The first matching civil minute after `start`; None within croniter's 50-year horizon."""
        limit = start.date() + datetime.timedelta(days=50 * 366)
        while True:
            civil = step(self.times, start)
            if civil is None or civil.date() > limit:
                return None
            if self.day_matches(civil.date()):
                return civil
            day = civil.date() + DAY
            while not self.day_matches(day) and day <= limit:
                day += DAY
            start = datetime.datetime.combine(day, datetime.time()) - MINUTE

    def day_matches(self, day: datetime.date) -> bool:
        in_days = day.day in self.days
        in_weekdays = day.isoweekday() % 7 in self.weekdays
        return in_days or in_weekdays if self.day_or else in_days and in_weekdays


def step(civil_times: croniter, start: datetime.datetime) -> datetime.datetime | None:
    civil_times.set_current(start)
    try:
        civil: datetime.datetime = civil_times.get_next(datetime.datetime)
    except CroniterBadDateError:
        return None
    return civil


def fire_times(calendar: CivilCalendar, zone: ZoneInfo, after: int, count: int) -> list[int]:
    fires: list[int] = []
    for _ in range(count):
        fire = next_fire(calendar, zone, after)
        if fire is None:
            break
        fires.append(fire)
        after = fire
    return fires


def next_fire(calendar: CivilCalendar, zone: ZoneInfo, after: int) -> int | None:
    """The first civil time after the minute of `after` whose instant is after `after`."""
    start = datetime.datetime.fromtimestamp(after / 1000, UTC).astimezone(zone).replace(tzinfo=None)
    civil: datetime.datetime | None = start.replace(second=0, microsecond=0)
    while True:
        civil = calendar.next_after(civil)
        if civil is None:
            return None
        fire = instant_of(civil, zone)
        if fire > after:
            return fire


def instant_of(civil: datetime.datetime, zone: ZoneInfo) -> int:
    """Unix ms of a civil time: its first occurrence, or the jump when skipped."""
    if exists(civil, zone):
        return to_ms(civil.replace(tzinfo=zone, fold=0))
    before = civil - MINUTE
    while not exists(before, zone):
        before -= MINUTE
    return to_ms(before.replace(tzinfo=zone, fold=0)) + 60_000


def exists(civil: datetime.datetime, zone: ZoneInfo) -> bool:
    aware = civil.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == civil


def to_ms(aware: datetime.datetime) -> int:
    return int(aware.timestamp()) * 1000


if __name__ == "__main__":
    main()
