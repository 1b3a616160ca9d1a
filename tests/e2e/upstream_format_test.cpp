// Workflows written in the upstream ork's current format (its
// docs/design/workflow-schema.md), run by the real `ork`: every construct
// that schema and its examples use — `types:` with `types.Name`, `[T]` as a
// YAML sequence and as a string, date and datetime_notz/tz/utc fields and
// ISO-8601 constants, `input_type: {}` / `inputs: {}`, `{const: ...}` and
// `{ref: tasks.T.output[.path]}` bindings (int constants for float
// parameters), `depends_on`, `timeout`,
// `retries`, `description`; python tasks given by `file:` and by `module:`,
// a `process` task given by `command:` and one by `file:`, `executor: shell`
// with a command and with a script, ORK_INPUT_JSON, and a library whose
// result is prefixed with ORK_OUTPUT:. Also: a file mixing both formats, and
// the compile errors of a malformed date constant and a bad reference.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace ork::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const char* const tour_yaml = R"yaml(name: upstream_tour
description: Every construct of the upstream ork's workflow schema, in one DAG

types:
  Reading:
    station: str
    values: [int]
    taken_on: date
    logged_at: datetime_notz
    scale: float
  Stamped:
    label: str
    at: datetime_utc
    local: datetime_tz
  Tally:
    sum: int
    count: int
  Report:
    line: str
    env_matches_stdin: bool
    labels: types.Labels
  Labels: "[str]"

tasks:
  read:
    executor: python
    file: readings.py
    function: read_station
    timeout: 60
    input_type:
      station: str
      count: int
      taken_on: date
      scale: float
    output_type: types.Reading
    inputs:
      station:
        const: north
      count:
        const: 4
      scale:
        const: 2
      taken_on:
        const: "2024-01-15"

  stamp:
    executor: python
    module: stamping
    function: stamp
    input_type:
      label: str
      at: datetime_utc
      local: datetime_tz
      naive: datetime_notz
    output_type: types.Stamped
    inputs:
      label:
        const: batch-7
      at:
        const: "2024-01-15T10:00:00Z"
      local:
        const: "2024-01-15T19:00:00+09:00"
      naive:
        const: "2024-01-15T10:00:00"

  tally:
    executor: library
    file: LIBS/upstream_output.so
    depends_on: [read]
    input_type:
      read: types.Reading
    output_type: types.Tally
    inputs:
      read:
        ref: tasks.read.output

  report:
    executor: process
    command: python3 report.py
    depends_on: [read, stamp, tally]
    retries: 0
    input_type:
      first: int
      sum: int
      taken_on: date
      at: datetime_tz
      labels: [str]
    output_type: types.Report
    inputs:
      first:
        ref: tasks.read.output.values.0
      sum:
        ref: tasks.tally.output.sum
      taken_on:
        ref: tasks.read.output.taken_on
      at:
        ref: tasks.stamp.output.at
      labels:
        const: [a, b]

  shout:
    executor: shell
    command: |
      printf 'ORK_OUTPUT:{"shout": "%s"}\n' "$(echo quiet | tr a-z A-Z)"
    input_type: {}
    output_type:
      shout: str
    inputs: {}

  script:
    executor: shell
    file: echo_input.sh
    depends_on: [shout]
    input_type:
      word: str
      shout: {shout: str}
    output_type:
      word: str
      shout: {shout: str}
    inputs:
      word:
        const: hello
      shout:
        ref: tasks.shout.output

  program:
    executor: process
    file: bin/upper.py
    depends_on: [report]
    input_type:
      line: str
    output_type: str
    inputs:
      line:
        ref: tasks.report.output.line

  flaky:
    executor: python
    file: readings.py
    function: flaky
    retries: 1
    input_type: {}
    output_type: bool
    inputs: {}
)yaml";

const char* const readings_py = R"(import os
from datetime import date, datetime
from typing import TypedDict


class Reading(TypedDict):
    station: str
    values: list[int]
    taken_on: date
    logged_at: datetime
    scale: float


def read_station(station: str, count: int, taken_on: date, scale: float) -> Reading:
    assert isinstance(taken_on, date), taken_on
    return {
        "station": station,
        "values": list(range(1, count + 1)),
        "taken_on": taken_on,
        "logged_at": datetime(2024, 1, 15, 8, 30),
        "scale": scale / 4,
    }


def flaky() -> bool:
    if not os.path.exists("flaky.marker"):
        open("flaky.marker", "w").close()
        raise RuntimeError("first attempt fails on purpose")
    return True
)";

const char* const stamping_py = R"(from datetime import datetime, timezone
from typing import TypedDict


class Stamped(TypedDict):
    label: str
    at: datetime
    local: datetime


def stamp(label: str, at: datetime, local: datetime, naive: datetime) -> Stamped:
    assert at.tzinfo is not None and local.tzinfo is not None and naive.tzinfo is None
    return {"label": label, "at": at.astimezone(timezone.utc), "local": local}
)";

// Reads ORK_INPUT_JSON and stdin, which must hold the same object.
const char* const report_py = R"(import json
import os
import sys

from_stdin = json.loads(sys.stdin.read())
from_env = json.loads(os.environ["ORK_INPUT_JSON"])
line = f"first={from_env['first']} sum={from_env['sum']} on={from_env['taken_on']} at={from_env['at']}"
result = {"line": line, "env_matches_stdin": from_env == from_stdin, "labels": from_env["labels"]}
print("ORK_OUTPUT:" + json.dumps(result))
)";

const char* const echo_input_sh = "printf 'ORK_OUTPUT:%s\\n' \"$ORK_INPUT_JSON\"\n";

const char* const upper_py = R"(#!/usr/bin/env python3
import json
import sys

line = json.load(sys.stdin)["line"]
print("ORK_OUTPUT:" + json.dumps(line.upper()))
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void prepare_tour(const TempDir& dir, const std::string& yaml) {
  dir.write("wf.yaml", replaced(yaml, "LIBS", ORK_E2E_TASK_LIBS));
  dir.write("readings.py", readings_py);
  dir.write("stamping.py", stamping_py);
  dir.write("report.py", report_py);
  dir.write("echo_input.sh", echo_input_sh);  // not executable: /bin/sh reads it
  dir.write("bin/upper.py", upper_py, true);
}

const json::object& task_of(const json::value& run, const std::string& name) {
  return run.at("tasks").at(name).as_object();
}

// "wf.yaml:L:C: " of the first occurrence of `text` in `yaml`.
std::string location_of(const std::string& yaml, const std::string& text) {
  std::size_t at = yaml.find(text);
  EXPECT_NE(at, std::string::npos) << text;
  std::size_t line_start = yaml.rfind('\n', at);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::size_t line = 1 + static_cast<std::size_t>(std::count(yaml.begin(), yaml.begin() + at, '\n'));
  return "wf.yaml:" + std::to_string(line) + ":" + std::to_string(at - line_start + 1) + ": ";
}

TEST(UpstreamFormat, EveryConstructRuns) {
  TempDir dir;
  prepare_tour(dir, tour_yaml);
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json::value run = parse_json(r.out);
  EXPECT_EQ(run.at("workflow"), "upstream_tour");
  EXPECT_EQ(run.at("status"), "succeeded");

  const json::value& reading = task_of(run, "read").at("output");
  EXPECT_EQ(reading.at("values"), json::parse("[1, 2, 3, 4]"));
  EXPECT_EQ(reading.at("taken_on"), "2024-01-15");
  EXPECT_EQ(reading.at("logged_at"), "2024-01-15T08:30:00");
  EXPECT_EQ(reading.at("scale"), 0.5);

  const json::value& stamped = task_of(run, "stamp").at("output");
  EXPECT_EQ(stamped.at("label"), "batch-7");
  EXPECT_EQ(stamped.at("at"), "2024-01-15T10:00:00+00:00");
  EXPECT_EQ(stamped.at("local"), "2024-01-15T19:00:00+09:00");

  EXPECT_EQ(task_of(run, "tally").at("output"), json::parse(R"({"sum": 10, "count": 4})"));

  const json::value& report = task_of(run, "report").at("output");
  EXPECT_EQ(report.at("line"), "first=1 sum=10 on=2024-01-15 at=2024-01-15T10:00:00+00:00");
  EXPECT_EQ(report.at("env_matches_stdin"), true);
  EXPECT_EQ(report.at("labels"), json::parse(R"(["a", "b"])"));

  EXPECT_EQ(task_of(run, "shout").at("output"), json::parse(R"({"shout": "QUIET"})"));
  const json::value& script = task_of(run, "script").at("output");
  EXPECT_EQ(script.at("word"), "hello");
  EXPECT_EQ(script.at("shout"), json::parse(R"({"shout": "QUIET"})"));
  EXPECT_EQ(task_of(run, "program").at("output"), "FIRST=1 SUM=10 ON=2024-01-15 AT=2024-01-15T10:00:00+00:00");

  EXPECT_EQ(task_of(run, "flaky").at("output"), true);
  EXPECT_EQ(task_of(run, "flaky").at("attempts"), 2);
}

TEST(UpstreamFormat, ValidateShowsTheTypedDag) {
  TempDir dir;
  prepare_tour(dir, tour_yaml);
  CommandResult r = run_ork({"validate", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json::value dag = parse_json(r.out);
  EXPECT_EQ(dag.at("ok"), true);
  const json::value& tasks = dag.at("tasks");
  EXPECT_EQ(tasks.at("read").at("output"),
            "{station: str, values: list[int], taken_on: date, logged_at: datetime_notz, scale: float}");
  EXPECT_EQ(tasks.at("report").at("output"),
            "{line: str, env_matches_stdin: bool, labels: list[str]}");
  EXPECT_EQ(tasks.at("stamp").at("inputs").at("at"), "datetime_utc");
  EXPECT_EQ(tasks.at("stamp").at("inputs").at("local"), "datetime_tz");
  EXPECT_EQ(tasks.at("report").at("inputs").at("labels"), "list[str]");
  EXPECT_EQ(tasks.at("report").at("depends_on"), json::parse(R"(["read", "stamp", "tally"])"));
  EXPECT_EQ(tasks.at("shout").at("executor"), "shell");
  EXPECT_EQ(tasks.at("tally").at("executor"), "library");
}

TEST(UpstreamFormat, OneFileMayMixBothFormats) {
  TempDir dir;
  dir.write("wf.yaml", R"yaml(types:
  Pair: {left: "list[int]", right: [int]}
tasks:
  make:
    executor: process
    command: [python3, -c, "print('ORK_OUTPUT:{\"left\": [1, 2], \"right\": [3]}')"]
    output_type: types.Pair
  join:
    executor: shell
    command: printf 'ORK_OUTPUT:%s\n' "$ORK_INPUT_JSON"
    input_type: {a: "list[int]", b: [int], c: int, d: {from: str}, e: date}
    output_type: {a: "list[int]", b: [int], c: int, d: {from: str}, e: date}
    inputs:
      a: {from: make.left}
      b: {ref: tasks.make.output.right}
      c: {const: 5}
      d: {value: {from: text}}
      e: 2024-01-15
)yaml");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json::value run = parse_json(r.out);
  const json::value& out = task_of(run, "join").at("output");
  EXPECT_EQ(out.at("a"), json::parse("[1, 2]"));
  EXPECT_EQ(out.at("b"), json::parse("[3]"));
  EXPECT_EQ(out.at("c"), 5);
  EXPECT_EQ(out.at("d"), json::parse(R"({"from": "text"})"));
  EXPECT_EQ(out.at("e"), "2024-01-15");
}

TEST(UpstreamFormat, MalformedDateConstantIsRefusedWithItsPlace) {
  TempDir dir;
  const std::string yaml = replaced(tour_yaml, "const: \"2024-01-15\"", "const: \"15/01/2024\"");
  prepare_tour(dir, yaml);
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find(location_of(yaml, "const: \"15/01/2024\"") +
                       "task \"read\" input \"taken_on\": the constant \"15/01/2024\" is not a date: write it as "
                       "YYYY-MM-DD (parameter \"taken_on\" is date)"),
            std::string::npos)
      << r.err;
}

TEST(UpstreamFormat, NaiveConstantForAnAwareParameterIsRefused) {
  TempDir dir;
  const std::string yaml = replaced(tour_yaml, "const: \"2024-01-15T10:00:00Z\"", "const: \"2024-01-15T10:00:00\"");
  prepare_tour(dir, yaml);
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("task \"stamp\" input \"at\": the constant \"2024-01-15T10:00:00\" is not a datetime_utc: "
                       "write it as YYYY-MM-DDTHH:MM:SS[.fff]Z"),
            std::string::npos)
      << r.err;
}

TEST(UpstreamFormat, BadReferencesAreRefusedWithTheirPlace) {
  TempDir dir;
  std::string yaml = replaced(tour_yaml, "ref: tasks.tally.output.sum", "ref: tasks.tally.sum");
  yaml = replaced(yaml, "ref: tasks.read.output.taken_on", "ref: tasks.read.output.taken");
  yaml = replaced(yaml, "      at: datetime_tz\n", "      at: datetime_notz\n");
  prepare_tour(dir, yaml);
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find(location_of(yaml, "tasks.tally.sum") +
                       "task \"report\" input \"sum\": reference \"tasks.tally.sum\" is not valid: write "
                       "tasks.<task>.output for a task's whole output, or tasks.<task>.output.<field>... for a part "
                       "of it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(location_of(yaml, "tasks.read.output.taken\n") +
                       "task \"report\" input \"taken_on\": read has no output field \"taken\" (fields: station, "
                       "values, taken_on, logged_at, scale)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(location_of(yaml, "tasks.stamp.output.at") +
                       "task \"report\" input \"at\": stamp.at is datetime_utc, but parameter \"at\" expects "
                       "datetime_notz: a time-zone-aware datetime does not silently become a naive one; convert it "
                       "in the upstream task"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace ork::test
