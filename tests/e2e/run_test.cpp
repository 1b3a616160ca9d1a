// `ork run` end to end: the hello example, failure propagation, retries,
// workflow inputs, concurrency and the recorded state.
#include "e2e_support.hpp"

#include <gtest/gtest.h>


namespace ork::test {
namespace {

namespace fs = std::filesystem;

TEST(Run, HelloExampleSucceedsAndRecordsOutputsAndLogs) {
  TempDir dir;
  fs::copy(fs::path(ORK_SOURCE_DIR) / "examples" / "hello", dir.path() / "hello", fs::copy_options::recursive);
  CommandResult r = run_ork({"run", "hello/hello.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto run = parse_json(r.out).as_object();
  EXPECT_EQ(run.at("workflow").as_string(), "hello");
  EXPECT_EQ(run.at("status").as_string(), "succeeded");
  const auto& tasks = run.at("tasks").as_object();
  ASSERT_EQ(tasks.size(), 3u);
  const auto& greet = tasks.at("greet").as_object();
  EXPECT_EQ(greet.at("status").as_string(), "succeeded");
  EXPECT_EQ(greet.at("attempts").as_int64(), 1);
  EXPECT_EQ(greet.at("output").at("message").as_string(), "hello hello, world!");
  EXPECT_EQ(greet.at("output").at("length").as_int64(), 19);
  EXPECT_TRUE(greet.at("error").is_null());
  EXPECT_TRUE(greet.at("started_at").is_string());
  EXPECT_TRUE(greet.at("finished_at").is_string());
  EXPECT_TRUE(tasks.at("report").at("output").at("bytes").is_int64());

  std::string run_id(run.at("run_id").as_string());
  CommandResult logs = run_ork({"logs", run_id, "greet"}, dir.path());
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(logs.out, "greeting world 2 times\n");
  CommandResult report_logs = run_ork({"logs", run_id, "report"}, dir.path());
  EXPECT_NE(report_logs.out.find("run " + run_id + ", task report, attempt 1"), std::string::npos) << report_logs.out;

  CommandResult tasks_json = run_ork({"tasks", run_id, "--json"}, dir.path());
  ASSERT_EQ(tasks_json.exit_code, 0) << tasks_json.err;
  EXPECT_EQ(parse_json(tasks_json.out).at("tasks").at("greet").at("output"), greet.at("output"));
}

TEST(Run, PlainOutputShowsEachTaskAndTheSummary) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "echo hi"}
  b: {executor: process, command: "exit 3", depends_on: [a]}
)");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("✓ a succeeded in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("✗ b failed in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exited with code 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" failed (1 failed, 1 succeeded)"), std::string::npos) << r.out;
}

TEST(Run, ProgressLinesShowWhileTasksRunAndComeInOrderBeforeTheSummary) {
  // Progress is written in batches from a thread of its own (run_support.cpp):
  // a line must still show while the run goes on, not only at its end.
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "true"}
  b: {executor: process, command: "sleep 5", depends_on: [a]}
  c: {executor: process, command: "true", depends_on: [b]}
)");
  BackgroundOrk run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(run.wait_for_output("… b started\n", 20000)) << run.out();
  EXPECT_EQ(run.out().find("b succeeded"), std::string::npos) << "shown only once b ended: " << run.out();
  ASSERT_EQ(run.wait(30000), 0) << run.out() << run.err();
  const std::string out = run.out();
  std::size_t at = 0;
  for (const char* line : {"… a started\n", "✓ a succeeded in ", "… b started\n", "✓ b succeeded in ",
                           "… c started\n", "✓ c succeeded in ", " succeeded (3 succeeded)"}) {
    std::size_t found = out.find(line, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << line << "\n" << out;
    at = found;
  }
}

TEST(Run, FailureSkipsDownstreamButIndependentBranchesFinish) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  root: {executor: process, command: "true"}
  bad: {executor: process, command: "echo broken >&2; exit 4", depends_on: [root]}
  after_bad: {executor: process, command: "true", depends_on: [bad]}
  after_after: {executor: process, command: "true", depends_on: [after_bad]}
  side: {executor: process, command: "sleep 0.2; echo 'ORK_OUTPUT:1'", depends_on: [root]}
  after_side: {executor: process, command: "true", depends_on: [side]}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json", "--concurrency", "2"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto run = parse_json(r.out);
  EXPECT_EQ(run.at("status").as_string(), "failed");
  const auto& tasks = run.at("tasks").as_object();
  EXPECT_EQ(tasks.at("bad").at("status").as_string(), "failed");
  EXPECT_EQ(tasks.at("bad").at("error").as_string(), "exited with code 4; last lines of stderr:\nbroken");
  EXPECT_EQ(tasks.at("after_bad").at("status").as_string(), "skipped");
  EXPECT_EQ(tasks.at("after_bad").at("error").as_string(), "upstream task 'bad' failed");
  EXPECT_EQ(tasks.at("after_after").at("status").as_string(), "skipped");
  EXPECT_EQ(tasks.at("side").at("status").as_string(), "succeeded");
  EXPECT_EQ(tasks.at("side").at("output").as_int64(), 1);
  EXPECT_EQ(tasks.at("after_side").at("status").as_string(), "succeeded");
}

TEST(Run, RetriesUntilSuccessAndCountsAttempts) {
  TempDir dir;
  // Fails on attempts 1 and 2, succeeds on 3.
  dir.write("wf.yaml", R"(tasks:
  flaky:
    executor: process
    command: 'echo "attempt $ORK_ATTEMPT"; [ "$ORK_ATTEMPT" -ge 3 ] && echo "ORK_OUTPUT:\"ok\"" || exit 1'
    retries: 3
    retry_delay: 10ms
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto task = parse_json(r.out).at("tasks").at("flaky");
  EXPECT_EQ(task.at("status").as_string(), "succeeded");
  EXPECT_EQ(task.at("attempts").as_int64(), 3);
  EXPECT_EQ(task.at("output").as_string(), "ok");
  std::string run_id(parse_json(r.out).at("run_id").as_string());
  auto rows = sqlite_rows(dir.path() / ".ork/ork.db",
                          "SELECT attempt, status FROM attempts WHERE run_id = '" + run_id + "' ORDER BY attempt");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], "failed");
  EXPECT_EQ(rows[1][1], "failed");
  EXPECT_EQ(rows[2][1], "succeeded");
  CommandResult logs = run_ork({"logs", run_id, "flaky"}, dir.path());
  EXPECT_EQ(logs.out, "attempt 1\nattempt 2\nattempt 3\n");
}

TEST(Run, RetriesExhaustedFailsWithTheLastError) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  never: {executor: process, command: "exit 2", retries: 1, retry_delay: 1ms}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  auto task = parse_json(r.out).at("tasks").at("never");
  EXPECT_EQ(task.at("status").as_string(), "failed");
  EXPECT_EQ(task.at("attempts").as_int64(), 2);
  EXPECT_EQ(task.at("error").as_string(), "exited with code 2");
}

TEST(Run, WorkflowInputsFromTheCommandLineAndDefaults) {
  TempDir dir;
  dir.write("wf.yaml", R"(inputs:
  who: {type: str}
  times: {type: int, default: 2}
tasks:
  echo:
    executor: process
    command: "cat"
    inputs: {who: {input: who}, times: {input: times}}
)");
  // `cat` echoes stdin as a log line; the inputs object includes "upstream".
  CommandResult r = run_ork({"run", "wf.yaml", "--json", "--input", "who=007"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string run_id(parse_json(r.out).at("run_id").as_string());
  CommandResult logs = run_ork({"logs", run_id, "echo"}, dir.path());
  EXPECT_EQ(logs.out, "{\"who\":\"007\",\"times\":2,\"upstream\":{}}\n");

  CommandResult missing = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "ork: workflow 'wf' needs input 'who' (str); give it as --input NAME=VALUE\n");
  CommandResult unknown = run_ork({"run", "wf.yaml", "--input", "who=x", "--input", "colour=red"}, dir.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "ork: workflow 'wf' has no input 'colour' (inputs: who, times)\n");
  CommandResult wrong = run_ork({"run", "wf.yaml", "--input", "who=x", "--input", "times=many"}, dir.path());
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(wrong.err, "ork: --input times: str does not fit int\n");
}

TEST(Run, UpstreamOutputsArriveOnStdin) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "echo 'ORK_OUTPUT:{\"rows\":[1,2,3]}'"}
  b: {executor: process, command: "echo 'ORK_OUTPUT:\"x\"'"}
  c:
    executor: process
    command: cat
    inputs: {second: {from: a.rows.1}}
    depends_on: [b]
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string run_id(parse_json(r.out).at("run_id").as_string());
  CommandResult logs = run_ork({"logs", run_id, "c"}, dir.path());
  EXPECT_EQ(logs.out, "{\"second\":2,\"upstream\":{\"a\":{\"rows\":[1,2,3]},\"b\":\"x\"}}\n");
}

TEST(Run, MissingFieldAtRunTimeFailsTheTaskWithTheReference) {
  TempDir dir;
  // The upstream has no declared output type, so the path is only checked when it runs.
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "echo 'ORK_OUTPUT:{\"rows\":[]}'"}
  b: {executor: process, command: cat, inputs: {x: {from: a.rowz}}}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(parse_json(r.out).at("tasks").at("b").at("error").as_string(),
            "input 'x': the output of task 'a' has no 'rowz' (reference a.rowz)");
}

TEST(Run, ConcurrencyRunsIndependentTasksInParallel) {
  TempDir dir;
  // A barrier: each task waits (up to 10 s) until all four have started, which
  // only happens when they really run at the same time.
  dir.write("barrier.sh", R"SH(touch "$ORK_TASK.started"
for i in $(seq 200); do
  [ "$(ls *.started | wc -l)" -ge 4 ] && exit 0
  sleep 0.05
done
echo "only $(ls *.started | wc -l) tasks were running at once" >&2
exit 1
)SH");
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: [sh, barrier.sh]}
  b: {executor: process, command: [sh, barrier.sh]}
  c: {executor: process, command: [sh, barrier.sh]}
  d: {executor: process, command: [sh, barrier.sh]}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--concurrency", "4"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(Run, BadConcurrencyIsAUsageError) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  a: {executor: process, command: \"true\"}\n");
  CommandResult r = run_ork({"run", "wf.yaml", "--concurrency", "0"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ork: --concurrency needs a positive number, got '0'\n");
}

}  // namespace
}  // namespace ork::test
