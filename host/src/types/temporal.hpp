// ISO-8601 text for ork's temporal types. JSON has no date, so workflow
// files, `--input`, the HTTP API and the UI form all carry dates and
// datetimes as strings ("2024-05-01", "2024-05-01T10:00:00Z"). Wherever a
// given value is checked against a type (workflow inputs and their defaults,
// constants bound to task parameters), it is typed here: a string where the
// type expects `date` or `datetime` is that date or datetime when it is valid
// ISO-8601 text of it, and a clear error naming the expected format when it
// is not. One place, so the compiler (workflow/compiler, workflow/
// binding_check) and the run entry points (scheduler/run_setup, used by the CLI,
// the API and the scheduler) accept and refuse the same text with the same
// message. The time-zone kinds (datetime_notz, datetime_tz, datetime_utc)
// each have their own form.
#pragma once

#include "types/type.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace ork::host {

inline constexpr std::string_view iso_date_format = "YYYY-MM-DD";
inline constexpr std::string_view iso_datetime_format = "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]";
inline constexpr std::string_view iso_datetime_notz_format = "YYYY-MM-DDTHH:MM:SS[.fff] (no Z, no offset)";
inline constexpr std::string_view iso_datetime_tz_format = "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)";
inline constexpr std::string_view iso_datetime_utc_format = "YYYY-MM-DDTHH:MM:SS[.fff]Z";

// `YYYY-MM-DD`, a real calendar day (2024-02-29 yes, 2023-02-29 no).
bool is_iso_date(std::string_view text);
// `YYYY-MM-DDTHH:MM:SS`, optionally `.` and 1 to 9 digits of a second, then
// optionally `Z` or an offset `±HH:MM`. A date alone is not a datetime.
bool is_iso_datetime(std::string_view text);
// The same without `Z` or offset (a naive datetime, `datetime_notz`).
bool is_iso_datetime_notz(std::string_view text);
// The same with `Z` or an offset (`datetime_tz`).
bool is_iso_datetime_tz(std::string_view text);
// The same ending in `Z` (`datetime_utc`; `+00:00` is refused, as the
// upstream ork's RFC 3339 check does).
bool is_iso_datetime_utc(std::string_view text);

// The type of `value` given for a place of type `target`.
struct GivenType {
  Type type;
  // Set when a string stands where only a date/datetime fits and is not valid
  // text for one, e.g. `"2024-5-1" is not a date: write it as YYYY-MM-DD`
  // (prefixed with its path inside the value: `item 2: `, `field "since": `).
  std::string problem;
};

// Like infer_type(value), except that a string where `target` expects a date
// or datetime (also inside lists, dicts, tuples and object fields) is typed as
// that date or datetime when it is ISO-8601 text of it. Where `target` also
// accepts a str (`str | date`), text that is neither stays a str.
GivenType type_of_given(const boost::json::value& value, const Type& target);

}  // namespace ork::host
