// Workflow inputs given on the command line, end to end: ISO-8601 text for
// `date`/`datetime` inputs and defaults (types/temporal.hpp) reaches a Python
// task as a datetime.date / datetime.datetime, and malformed text is refused
// before anything runs, naming the expected format.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

const char* const dated_task = R"PY(import datetime


def report(since: datetime.date | None, until: datetime.datetime) -> str:
    assert type(since) is datetime.date, type(since)
    assert isinstance(until, datetime.datetime), type(until)
    return f"{type(since).__name__} {since.isoformat()} {type(until).__name__} {until.isoformat()}"
)PY";

const char* const dated_workflow = R"(inputs:
  since: {type: "date | None", default: null}
  until: {type: datetime, default: "2024-06-01T12:00:00Z"}
tasks:
  report:
    executor: python
    file: report.py
    function: report
    inputs: {since: {input: since}, until: {input: until}}
)";

TEST(Inputs, IsoDateOnTheCommandLineReachesPythonAsADate) {
  TempDir dir;
  dir.write("report.py", dated_task);
  dir.write("wf.yaml", dated_workflow);
  CommandResult r = run_ork({"run", "wf.yaml", "--json", "--input", "since=2024-05-01"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  boost::json::value run = parse_json(r.out);
  EXPECT_EQ(run.at("inputs").at("since"), "2024-05-01");
  EXPECT_EQ(run.at("tasks").at("report").at("output"), "date 2024-05-01 datetime 2024-06-01T12:00:00+00:00");

  // Quoted as JSON text, the same.
  CommandResult quoted = run_ork({"run", "wf.yaml", "--json", "--input", "since=\"2024-05-02\""}, dir.path());
  ASSERT_EQ(quoted.exit_code, 0) << quoted.err;
  EXPECT_EQ(parse_json(quoted.out).at("tasks").at("report").at("output"),
            "date 2024-05-02 datetime 2024-06-01T12:00:00+00:00");
}

TEST(Inputs, MalformedIsoDateIsRefusedNamingTheFormat) {
  TempDir dir;
  dir.write("report.py", dated_task);
  dir.write("wf.yaml", dated_workflow);
  CommandResult r = run_ork({"run", "wf.yaml", "--input", "since=01/05/2024"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ork: --input since: \"01/05/2024\" is not a date: write it as YYYY-MM-DD\n");
  CommandResult datetime = run_ork({"run", "wf.yaml", "--input", "until=2024-06-01"}, dir.path());
  EXPECT_EQ(datetime.exit_code, 2);
  EXPECT_EQ(datetime.err, "ork: --input until: \"2024-06-01\" is not a datetime: write it as "
                          "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]\n");
  EXPECT_EQ(run_ork({"runs", "--json"}, dir.path()).out.find("run_id"), std::string::npos) << "nothing recorded";
}

TEST(Inputs, IsoDateConstantsAndDefaultsReachPython) {
  TempDir dir;
  dir.write("report.py", dated_task);
  dir.write("wf.yaml", R"(inputs:
  since: {type: date, default: 2024-05-01}
tasks:
  report:
    executor: python
    file: report.py
    function: report
    inputs: {since: {input: since}, until: "2024-05-03T08:30:00.250+02:00"}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out).at("tasks").at("report").at("output"),
            "date 2024-05-01 datetime 2024-05-03T08:30:00.250000+02:00");
}

}  // namespace
}  // namespace ork::test
