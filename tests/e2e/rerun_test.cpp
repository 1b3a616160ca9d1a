// `ork rerun RUN [--from-failure]` end to end on SQLite: from failure, the
// tasks that succeeded are not called again (each task appends to a file, the
// side effect counted here), their outputs reach the tasks that run, and the
// new run records where they came from; a plain re-run runs everything with
// the same inputs, with workers too. Also `--input flag=True` for a `bool` input.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ork::test {
namespace {

// `extract` counts its calls in calls_extract; `load` fails until the file
// `fixed` exists, and prints the number extract handed it.
const char* const flaky_workflow = R"(inputs:
  label: {type: str, default: "x"}
tasks:
  extract:
    executor: process
    command: "cat >/dev/null; echo call >> calls_extract; echo 'ORK_OUTPUT:{\"n\": 41}'"
    output_type: {n: int}
  load:
    executor: process
    command: "cat > load_input.json; echo call >> calls_load; test -f fixed || { echo not fixed >&2; exit 3; }; echo 'ORK_OUTPUT:{\"ok\": true}'"
    inputs: {n: {from: extract.n}, label: {input: label}}
    input_type: {n: int, label: str}
)";

int lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Rerun, FromFailureDoesNotCallSucceededTasksAgain) {
  TempDir dir;
  dir.write("wf.yaml", flaky_workflow);
  CommandResult first = run_ork({"run", "wf.yaml", "--json", "--input", "label=first"}, dir.path());
  ASSERT_NE(first.exit_code, 0) << first.out << first.err;
  const std::string source(parse_json(first.out).at("run_id").as_string());
  ASSERT_EQ(lines_of(dir.path() / "calls_extract"), 1);

  dir.write("fixed", "");
  CommandResult again = run_ork({"rerun", source, "--from-failure", "--json"}, dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  boost::json::value run = parse_json(again.out);
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("trigger"), boost::json::string("rerun-from-failure:" + source));
  EXPECT_EQ(run.at("inputs").at("label"), "first");
  EXPECT_EQ(run.at("tasks").at("extract").at("attempts"), 0);
  EXPECT_EQ(run.at("tasks").at("extract").at("output").at("n"), 41);
  EXPECT_EQ(lines_of(dir.path() / "calls_extract"), 1) << "extract succeeded before: it must not run again";
  EXPECT_EQ(lines_of(dir.path() / "calls_load"), 2);
  boost::json::value handed = parse_json(slurp(dir.path() / "load_input.json"));
  EXPECT_EQ(handed.at("n"), 41);
  EXPECT_EQ(handed.at("label"), "first");

  const std::string new_run(run.at("run_id").as_string());
  CommandResult logs = run_ork({"logs", new_run, "extract"}, dir.path());
  EXPECT_NE(logs.out.find("output reused from run " + source), std::string::npos) << logs.out << logs.err;

  // A plain re-run calls every task again.
  CommandResult all = run_ork({"rerun", new_run, "--json"}, dir.path());
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  EXPECT_EQ(lines_of(dir.path() / "calls_extract"), 2);
  EXPECT_EQ(parse_json(all.out).at("trigger"), boost::json::string("rerun:" + new_run));
}

// The same with `--workers-only`: the reused task goes to no worker, the rest do.
TEST(Rerun, FromFailureWithWorkers) {
  TempDir dir;
  dir.write("wf.yaml", flaky_workflow);
  BackgroundOrk worker({"worker", "--slots", "2", "--name", "w1", "--executors", "process"}, dir.path());
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  CommandResult first = run_ork({"run", "wf.yaml", "--workers-only", "--json"}, dir.path());
  ASSERT_NE(first.exit_code, 0) << first.out << first.err;
  const std::string source(parse_json(first.out).at("run_id").as_string());
  dir.write("fixed", "");
  CommandResult again = run_ork({"rerun", source, "--from-failure", "--workers-only", "--json"}, dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(parse_json(again.out).at("status"), "succeeded");
  EXPECT_EQ(lines_of(dir.path() / "calls_extract"), 1);
  EXPECT_EQ(lines_of(dir.path() / "calls_load"), 2);
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20000), 0) << worker.err();
}

TEST(Rerun, FromFailureOfASucceededRunIsRefused) {
  TempDir dir;
  dir.write("wf.yaml", flaky_workflow);
  dir.write("fixed", "");
  CommandResult first = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string source(parse_json(first.out).at("run_id").as_string());
  CommandResult refused = run_ork({"rerun", source, "--from-failure"}, dir.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("no failure to re-run from"), std::string::npos) << refused.err;
}

TEST(Inputs, PythonSpelledTrueIsABool) {
  TempDir dir;
  dir.write("wf.yaml", R"(inputs:
  full: {type: bool, default: false}
tasks:
  show: {executor: process, command: "cat", inputs: {full: {input: full}}, input_type: {full: bool}}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json", "--input", "full=True"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out).at("inputs").at("full"), true);
}

}  // namespace
}  // namespace ork::test
