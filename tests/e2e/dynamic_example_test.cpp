// examples/dynamic through the real `ork` binary, on a copy in a temporary
// directory: the mapped tasks get one instance per data file, a second run
// reuses them from the cache, an edited file re-runs only its own instances,
// a failed check skips publish but not report, and a failing task runs alert.
#include "python_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

namespace ork::test::python {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kWorkflow = "dynamic/dynamic.yaml";

// Copies examples/dynamic into dir/dynamic (without an out/ left by a run in
// the source tree).
void copy_example(const TempDir& dir) {
  fs::copy(source_path("examples/dynamic"), dir.path() / "dynamic", fs::copy_options::recursive);
  fs::remove_all(dir.path() / "dynamic" / "out");
}

// `ork run dynamic/dynamic.yaml --json ARGS...` from `cwd`, writing under
// dir/out; the exit code must be `expected_exit`.
json::object run_example(const TempDir& dir, int expected_exit, std::vector<std::string> args = {},
                         const fs::path& cwd = {}, const std::string& workflow = kWorkflow) {
  std::vector<std::string> argv{"run", workflow, "--json", "--input", "out=" + (dir.path() / "out").string(),
                                "--db", (dir.path() / ".ork" / "ork.db").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = run_ork(argv, cwd.empty() ? dir.path() : cwd);
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  return parse_json(r.out).as_object();
}

// The statuses of a mapped task's instances, by name ("clean[0]" → "cached").
std::map<std::string, std::string> instances(const json::object& run, const std::string& task) {
  std::map<std::string, std::string> found;
  for (const auto& [name, value] : run.at("tasks").as_object()) {
    if (name.starts_with(task + "[")) found[std::string(name)] = std::string(value.at("status").as_string());
  }
  return found;
}

std::string status_of(const json::object& run, const std::string& task) {
  return std::string(task_of(run, task).at("status").as_string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DynamicExample, FirstRunMapsOneInstancePerFileAndPublishes) {
  TempDir dir;
  copy_example(dir);
  json::object run = run_example(dir, 0);
  EXPECT_EQ(run.at("status"), "succeeded");
  using Statuses = std::map<std::string, std::string>;
  EXPECT_EQ(instances(run, "clean"),
            (Statuses{{"clean[0]", "succeeded"}, {"clean[1]", "succeeded"}, {"clean[2]", "succeeded"}}));
  EXPECT_EQ(instances(run, "lines"),
            (Statuses{{"lines[0]", "succeeded"}, {"lines[1]", "succeeded"}, {"lines[2]", "succeeded"}}));
  EXPECT_EQ(task_of(run, "lines").at("output"), parse_json("[4, 4, 5]"));
  EXPECT_EQ(task_of(run, "check").at("output"), parse_json(R"({"passed": true, "rows": 8, "problems": []})"));
  EXPECT_EQ(status_of(run, "publish"), "succeeded");
  EXPECT_EQ(status_of(run, "report"), "succeeded");
  EXPECT_EQ(status_of(run, "alert"), "skipped");
  EXPECT_EQ(read_file(dir.path() / "out" / "published.json"), "[\"a_north.csv\", \"b_south.csv\", \"c_east.csv\"]\n");
  EXPECT_EQ(read_file(dir.path() / "out" / "b_south.csv"), "name,amount\nlinus,4\nbarbara,21\n");
  EXPECT_EQ(read_file(dir.path() / "out" / "report.txt"), "8 rows, passed\n");
}

TEST(DynamicExample, RunsFromItsOwnDirectoryToo) {
  TempDir dir;
  copy_example(dir);
  json::object run = run_example(dir, 0, {}, dir.path() / "dynamic", "dynamic.yaml");
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(task_of(run, "check").at("output").at("rows"), 8);
  EXPECT_EQ(status_of(run, "publish"), "succeeded");
}

TEST(DynamicExample, SecondRunIsCachedAndAnEditedFileRerunsOnlyItsInstances) {
  TempDir dir;
  copy_example(dir);
  json::object first = run_example(dir, 0);
  json::object second = run_example(dir, 0);
  EXPECT_EQ(second.at("status"), "succeeded");
  for (const std::string task : {"clean", "lines"}) {
    std::map<std::string, std::string> statuses = instances(second, task);
    ASSERT_EQ(statuses.size(), 3u) << task;
    for (const auto& [name, status] : statuses) EXPECT_EQ(status, "cached") << name;
    EXPECT_EQ(task_of(second, task + "[1]").at("cached_from").at("run_id"), first.at("run_id"));
  }
  EXPECT_EQ(status_of(second, "publish"), "succeeded");

  std::ofstream(dir.path() / "dynamic" / "data" / "b_south.csv", std::ios::app) << "alan,3\n";
  json::object third = run_example(dir, 0);
  using Statuses = std::map<std::string, std::string>;
  EXPECT_EQ(instances(third, "clean"),
            (Statuses{{"clean[0]", "cached"}, {"clean[1]", "succeeded"}, {"clean[2]", "cached"}}));
  EXPECT_EQ(instances(third, "lines"),
            (Statuses{{"lines[0]", "cached"}, {"lines[1]", "succeeded"}, {"lines[2]", "cached"}}));
  EXPECT_EQ(task_of(third, "lines").at("output"), parse_json("[4, 5, 5]"));
  EXPECT_EQ(task_of(third, "check").at("output").at("rows"), 9);
}

TEST(DynamicExample, AFailedCheckSkipsPublishButStillReports) {
  TempDir dir;
  copy_example(dir);
  json::object run = run_example(dir, 0, {"--input", "max_dropped=0"});
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(task_of(run, "check").at("output").at("passed"), false);
  EXPECT_EQ(status_of(run, "publish"), "skipped");
  EXPECT_EQ(task_of(run, "publish").at("error"), "condition is false: when: check.passed");
  EXPECT_EQ(status_of(run, "report"), "succeeded");
  EXPECT_EQ(task_of(run, "report").at("output"), "8 rows, failed: b_south.csv: 1 bad rows; c_east.csv: 1 bad rows");
  EXPECT_EQ(status_of(run, "alert"), "skipped");
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "published.json"));
}

TEST(DynamicExample, AFailingCleanRunsReportAndAlertAndFailsTheRun) {
  TempDir dir;
  copy_example(dir);
  json::object run = run_example(dir, 1, {"--input", "folder=broken"});
  EXPECT_EQ(run.at("status"), "failed");
  using Statuses = std::map<std::string, std::string>;
  EXPECT_EQ(instances(run, "clean"), (Statuses{{"clean[0]", "succeeded"}, {"clean[1]", "failed"}}));
  std::string error(task_of(run, "clean[1]").at("error").as_string());
  EXPECT_NE(error.find("b_wrong.csv:1: the header is 'id;label;amount', expected 'name,amount'"), std::string::npos)
      << error;
  EXPECT_EQ(status_of(run, "check"), "skipped");
  EXPECT_EQ(status_of(run, "publish"), "skipped");
  EXPECT_EQ(task_of(run, "report").at("output"), "no quality check: an earlier task failed");
  EXPECT_EQ(status_of(run, "alert"), "succeeded");
  EXPECT_EQ(task_of(run, "alert").at("output"),
            "ALERT: the dynamic pipeline failed; no output from: check, clean, publish");
}

}  // namespace
}  // namespace ork::test::python
