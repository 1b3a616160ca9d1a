// ISO-8601 text for date/datetime (types/temporal.hpp): which strings are
// dates and datetimes, how a given value is typed against the type it is
// given for, and the compiler's use of it for workflow input defaults and
// constants bound to task parameters.
#include <gtest/gtest.h>

#include "fake_catalog.hpp"
#include "types/temporal.hpp"
#include "workflow/compiler.hpp"

#include <boost/json/parse.hpp>

namespace ork::host {
namespace {

using Errors = std::vector<std::string>;

TEST(IsoDate, AcceptsCalendarDaysOnly) {
  EXPECT_TRUE(is_iso_date("2024-05-01"));
  EXPECT_TRUE(is_iso_date("2024-02-29"));   // leap year
  EXPECT_FALSE(is_iso_date("2023-02-29"));  // not a leap year
  EXPECT_FALSE(is_iso_date("2024-13-01"));
  EXPECT_FALSE(is_iso_date("2024-04-31"));
  EXPECT_FALSE(is_iso_date("2024-00-10"));
  EXPECT_FALSE(is_iso_date("2024-5-1"));
  EXPECT_FALSE(is_iso_date("20240501"));
  EXPECT_FALSE(is_iso_date("2024-05-01T00:00:00"));
  EXPECT_FALSE(is_iso_date("2024-05-01 "));
  EXPECT_FALSE(is_iso_date(""));
}

TEST(IsoDatetime, AcceptsTheDocumentedForm) {
  EXPECT_TRUE(is_iso_datetime("2024-05-01T10:00:00"));
  EXPECT_TRUE(is_iso_datetime("2024-05-01T23:59:59.5"));
  EXPECT_TRUE(is_iso_datetime("2024-05-01T10:00:00.123456789"));
  EXPECT_TRUE(is_iso_datetime("2024-05-01T10:00:00Z"));
  EXPECT_TRUE(is_iso_datetime("2024-05-01T10:00:00.250+05:30"));
  EXPECT_TRUE(is_iso_datetime("2024-05-01T10:00:00-08:00"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01"));  // a date is not a datetime
  EXPECT_FALSE(is_iso_datetime("2024-05-01 10:00:00"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T10:00"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T24:00:00"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T10:60:00"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T10:00:00."));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T10:00:00.1234567890"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T10:00:00+0530"));
  EXPECT_FALSE(is_iso_datetime("2024-05-01T10:00:00z"));
  EXPECT_FALSE(is_iso_datetime("2024-02-30T10:00:00"));
}

GivenType given(const char* json, const char* type) { return type_of_given(boost::json::parse(json), parse_type(type)); }

TEST(TypeOfGiven, IsoTextIsTheTemporalTypeExpected) {
  EXPECT_EQ(given(R"("2024-05-01")", "date").type, Type::date());
  EXPECT_EQ(given(R"("2024-05-01")", "date | None").type, Type::date());
  EXPECT_EQ(given(R"("2024-05-01T10:00:00Z")", "datetime").type, Type::datetime());
  EXPECT_EQ(given(R"("2024-05-01")", "date | datetime").type, Type::date());
  EXPECT_EQ(given(R"(["2024-05-01", "2024-05-02"])", "list[date]").type, Type::list(Type::date()));
  EXPECT_EQ(given(R"({"a": "2024-05-01"})", "dict[str, date]").type.to_string(), "{a: date}");
  EXPECT_EQ(given(R"({"since": "2024-05-01", "n": 1})", "{since: date, n: int}").type.to_string(),
            "{since: date, n: int}");
  // Where nothing expects a date, a string stays a string.
  EXPECT_EQ(given(R"("2024-05-01")", "str").type, Type::string());
  EXPECT_EQ(given(R"("2024-05-01")", "Any").type, Type::string());
  EXPECT_EQ(given("null", "date | None").type, Type::null());
}

TEST(TypeOfGiven, MalformedTextNamesTheFormat) {
  EXPECT_EQ(given(R"("2024-5-1")", "date").problem, R"("2024-5-1" is not a date: write it as YYYY-MM-DD)");
  EXPECT_EQ(given(R"("2024-05-01")", "datetime").problem,
            R"("2024-05-01" is not a datetime: write it as YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM])");
  EXPECT_EQ(given(R"("soon")", "date | datetime | None").problem,
            R"("soon" is not a date or datetime: write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM])");
  EXPECT_EQ(given(R"(["2024-05-01", "May 2"])", "list[date]").problem,
            R"(item 1: "May 2" is not a date: write it as YYYY-MM-DD)");
  EXPECT_EQ(given(R"({"since": "yesterday"})", "{since: date}").problem,
            R"(field "since": "yesterday" is not a date: write it as YYYY-MM-DD)");
  // A target that also takes a str takes the text as a str.
  EXPECT_EQ(given(R"("soon")", "str | date").problem, "");
  EXPECT_EQ(given(R"("soon")", "str | date").type, Type::string());
}

Errors errors_of(const std::string& source) {
  testing::FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "wf.yaml", catalog);
  Errors out;
  for (const Diagnostic& diagnostic : result.errors) out.push_back(diagnostic.to_string());
  return out;
}

std::string input_with_default(const std::string& type, const std::string& value) {
  return "inputs:\n"
         "  since: {type: \"" + type + "\", default: " + value + "}\n"
         "tasks:\n"
         "  t:\n"
         "    executor: typed\n"
         "    sig: {inputs: {}, output: \"null\"}\n";
}

TEST(CompilerTemporal, IsoDefaultsOfDateInputs) {
  EXPECT_EQ(errors_of(input_with_default("date", "\"2024-05-01\"")), Errors{});
  EXPECT_EQ(errors_of(input_with_default("date", "2024-05-01")), Errors{});  // unquoted YAML is text too
  EXPECT_EQ(errors_of(input_with_default("datetime | None", "\"2024-05-01T10:00:00Z\"")), Errors{});
  EXPECT_EQ(errors_of(input_with_default("date", "\"2024-02-30\"")),
            Errors{"wf.yaml:2:34: workflow input \"since\": the default \"2024-02-30\" is not a date: write it as "
                   "YYYY-MM-DD"});
  EXPECT_EQ(errors_of(input_with_default("date", "5")),
            Errors{"wf.yaml:2:34: workflow input \"since\": the default 5 is int, but the input is date"});
}

std::string constant_for(const std::string& type, const std::string& value) {
  return "tasks:\n"
         "  t:\n"
         "    executor: typed\n"
         "    sig: {inputs: {since: \"" + type + "\"}, output: \"null\"}\n"
         "    inputs: {since: " + value + "}\n";
}

TEST(CompilerTemporal, IsoConstantsBoundToDateParameters) {
  EXPECT_EQ(errors_of(constant_for("date", "\"2024-05-01\"")), Errors{});
  EXPECT_EQ(errors_of(constant_for("datetime", "\"2024-05-01T10:00:00+02:00\"")), Errors{});
  EXPECT_EQ(errors_of(constant_for("list[date]", "[2024-05-01, 2024-05-02]")), Errors{});
  EXPECT_EQ(errors_of(constant_for("datetime", "\"2024-05-01\"")),
            Errors{"wf.yaml:5:21: task \"t\" input \"since\": the constant \"2024-05-01\" is not a datetime: write it "
                   "as YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM] (parameter \"since\" is datetime)"});
  EXPECT_EQ(errors_of(constant_for("str", "\"2024-05-01\"")), Errors{});
  EXPECT_EQ(errors_of(constant_for("date", "3")),
            Errors{"wf.yaml:5:21: task \"t\" input \"since\": the constant 3 is int, but parameter \"since\" expects date"});
}

}  // namespace
}  // namespace ork::host
