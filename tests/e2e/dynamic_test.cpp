// Dynamic workflows end to end (issue 14): run timeouts (the workflow's
// `timeout:` and `ork run --timeout`), trigger rules and `when:` conditions,
// each run through the real binary with the outcome read back from
// `ork run --json` and the history commands.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

// Runs `ork run ARGS --json` and returns the run object (asserting valid JSON).
boost::json::object run_json(const TempDir& dir, std::vector<std::string> args, int& exit_code) {
  args.insert(args.begin(), "run");
  args.push_back("--json");
  CommandResult r = run_ork(args, dir.path());
  exit_code = r.exit_code;
  EXPECT_FALSE(r.out.empty()) << r.err;
  if (r.out.empty()) return {};
  return parse_json(r.out).as_object();
}

std::string task_status(const boost::json::object& run, const std::string& task) {
  return std::string(run.at("tasks").at(task).at("status").as_string());
}

TEST(RunTimeout, WorkflowTimeoutCancelsTheRunAndRecordsWhy) {
  TempDir dir;
  dir.write("wf.yaml", R"(timeout: 1s
tasks:
  slow: {executor: process, command: "sleep 30"}
  after: {executor: process, command: "echo never", depends_on: [slow]}
)");
  auto started = std::chrono::steady_clock::now();
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(code, 1);
  EXPECT_LT(took, std::chrono::seconds(20)) << "the timeout must stop the 30 s task";
  EXPECT_EQ(run.at("status").as_string(), "cancelled");
  std::string error(run.at("error").as_string());
  EXPECT_NE(error.find("run timed out"), std::string::npos) << error;
  EXPECT_NE(error.find("1s"), std::string::npos) << error;
  EXPECT_EQ(task_status(run, "slow"), "cancelled");
  EXPECT_EQ(task_status(run, "after"), "cancelled");
  EXPECT_NE(std::string(run.at("tasks").at("after").at("error").as_string()).find("timed out"), std::string::npos);

  std::string run_id(run.at("run_id").as_string());
  CommandResult table = run_ork({"runs"}, dir.path());
  EXPECT_NE(table.out.find("run timed out"), std::string::npos) << table.out;
  auto listed = parse_json(run_ork({"runs", "--json"}, dir.path()).out).at("runs").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_NE(std::string(listed[0].at("error").as_string()).find("run timed out"), std::string::npos);
  CommandResult tasks = run_ork({"tasks", run_id}, dir.path());
  EXPECT_NE(tasks.out.find("cancelled (run timed out"), std::string::npos) << tasks.out;
}

TEST(RunTimeout, CommandLineTimeoutOverridesTheWorkflows) {
  TempDir dir;
  dir.write("wf.yaml", R"(timeout: 1h
tasks:
  slow: {executor: process, command: "sleep 30"}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml", "--timeout", "500ms"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(run.at("status").as_string(), "cancelled");
  EXPECT_NE(std::string(run.at("error").as_string()).find("timeout of 500ms"), std::string::npos) << run.at("error");
}

TEST(RunTimeout, ARunThatFinishesInTimeIsUntouched) {
  TempDir dir;
  dir.write("wf.yaml", "timeout: 1m\ntasks:\n  quick: {executor: process, command: \"echo 'ORK_OUTPUT:1'\"}\n");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(run.at("status").as_string(), "succeeded");
  EXPECT_TRUE(run.at("error").is_null());
}

TEST(RunTimeout, MalformedOrNegativeDurationsAreRefusedWithTheirPlace) {
  TempDir dir;
  dir.write("neg.yaml", "timeout: -5s\ntasks:\n  a: {executor: process, command: \"true\"}\n");
  CommandResult neg = run_ork({"run", "neg.yaml"}, dir.path());
  EXPECT_EQ(neg.exit_code, 2);
  EXPECT_NE(neg.err.find("neg.yaml:1:10: \"timeout\" cannot be negative (-5s)"), std::string::npos) << neg.err;
  dir.write("bad.yaml", "timeout: soon\ntasks:\n  a: {executor: process, command: \"true\"}\n");
  CommandResult bad = run_ork({"run", "bad.yaml"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml:1:10: \"timeout\" must be a duration"), std::string::npos) << bad.err;
  dir.write("zero.yaml", "timeout: 0s\ntasks:\n  a: {executor: process, command: \"true\"}\n");
  CommandResult zero = run_ork({"run", "zero.yaml"}, dir.path());
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("zero.yaml:1:10: \"timeout\" of the run must be longer than 0"), std::string::npos)
      << zero.err;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << "a refused workflow must write nothing";
  CommandResult flag = run_ork({"run", "neg.yaml", "--timeout", "later"}, dir.path());
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("--timeout needs a duration"), std::string::npos) << flag.err;
}

// Python task functions for the trigger rule and condition tests.
const char* const rule_tasks_py = R"(def produce() -> int:
    return 7


def broken() -> int:
    raise RuntimeError("boom")


def check() -> dict[str, int]:
    return {"rows": 3, "bad": 0}


def report(produce: int | None, broken: int | None) -> str:
    return f"produce={produce} broken={broken}"


def strict_report(broken: int) -> str:
    return str(broken)


def alert(upstream: dict[str, int | None]) -> str:
    return "failed: " + ",".join(sorted(k for k, v in upstream.items() if v is None))
)";

TEST(TriggerRules, AllDoneRunsAfterAFailureAndReceivesNullForIt) {
  TempDir dir;
  dir.write("t.py", rule_tasks_py);
  dir.write("wf.yaml", R"(tasks:
  produce: {executor: python, file: t.py, function: produce}
  broken: {executor: python, file: t.py, function: broken}
  report:
    executor: python
    file: t.py
    function: report
    depends_on: [produce, broken]
    trigger_rule: all_done
  plain: {executor: python, file: t.py, function: strict_report, depends_on: [broken]}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(run.at("status").as_string(), "failed");
  EXPECT_EQ(task_status(run, "broken"), "failed");
  EXPECT_EQ(task_status(run, "report"), "succeeded");
  EXPECT_EQ(run.at("tasks").at("report").at("output").as_string(), "produce=7 broken=None");
  EXPECT_EQ(task_status(run, "plain"), "skipped");
  EXPECT_EQ(run.at("tasks").at("plain").at("error").as_string(), "upstream task 'broken' failed");
}

TEST(TriggerRules, AnyFailedRunsOnlyWhenSomethingFailed) {
  TempDir dir;
  dir.write("t.py", rule_tasks_py);
  const char* workflow = R"(tasks:
  produce: {executor: python, file: t.py, function: produce}
  second: {executor: python, file: t.py, function: %s}
  alert: {executor: python, file: t.py, function: alert, depends_on: [produce, second], trigger_rule: any_failed}
)";
  char yaml[1024];
  std::snprintf(yaml, sizeof yaml, workflow, "broken");
  dir.write("wf.yaml", yaml);
  int code = 0;
  auto failed = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(task_status(failed, "alert"), "succeeded");
  EXPECT_EQ(failed.at("tasks").at("alert").at("output").as_string(), "failed: second");

  std::snprintf(yaml, sizeof yaml, workflow, "produce");
  dir.write("wf.yaml", yaml);
  auto fine = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 0) << "a hook that did not fire does not fail the run";
  EXPECT_EQ(fine.at("status").as_string(), "succeeded");
  EXPECT_EQ(task_status(fine, "alert"), "skipped");
  EXPECT_EQ(fine.at("tasks").at("alert").at("error").as_string(), "no upstream task failed (trigger_rule: any_failed)");
}

TEST(TriggerRules, NoneFailedAcceptsSkippedButNotFailedUpstreams) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "exit 1"}
  b: {executor: process, command: "true", depends_on: [a]}
  joins_skipped: {executor: process, command: "true", depends_on: [b], trigger_rule: none_failed}
  after_failed: {executor: process, command: "true", depends_on: [a], trigger_rule: none_failed}
  all_ok: {executor: process, command: "true", depends_on: [joins_skipped]}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(task_status(run, "b"), "skipped");
  EXPECT_EQ(task_status(run, "joins_skipped"), "succeeded");
  EXPECT_EQ(task_status(run, "all_ok"), "succeeded");
  EXPECT_EQ(task_status(run, "after_failed"), "skipped");
  EXPECT_EQ(run.at("tasks").at("after_failed").at("error").as_string(),
            "upstream task 'a' failed (trigger_rule: none_failed)");
}

TEST(TriggerRules, AllSucceededIsTheDefaultAndSkipsTransitively) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "exit 1"}
  b: {executor: process, command: "true", depends_on: [a], trigger_rule: all_succeeded}
  c: {executor: process, command: "true", depends_on: [b]}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(task_status(run, "b"), "skipped");
  EXPECT_EQ(task_status(run, "c"), "skipped");
  EXPECT_EQ(run.at("tasks").at("c").at("error").as_string(), "upstream task 'b' was skipped");
}

TEST(TriggerRules, ANonOptionalParameterUnderALenientRuleIsRefused) {
  TempDir dir;
  dir.write("t.py", rule_tasks_py);
  dir.write("wf.yaml", R"(tasks:
  broken: {executor: python, file: t.py, function: broken}
  report: {executor: python, file: t.py, function: strict_report, depends_on: [broken], trigger_rule: all_done}
)");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("wf.yaml:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the output of broken is int | None, but parameter \"broken\" expects int; with "
                       "trigger_rule: all_done the task also runs when broken did not succeed, and then receives "
                       "null: declare parameter \"broken\" as int | None"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork"));
}

TEST(TriggerRules, UnknownRuleGetsADidYouMean) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  a: {executor: process, command: "true"}
  b: {executor: process, command: "true", depends_on: [a], trigger_rule: all_don}
  c: {executor: process, command: "true", depends_on: [a], trigger_rule: 3}
)");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("wf.yaml:3:74: task \"b\": unknown trigger_rule \"all_don\" (did you mean \"all_done\"?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("wf.yaml:4:74: task \"c\": \"trigger_rule\" must be one of all_succeeded, all_done, "
                       "none_failed, any_failed, not the number 3"),
            std::string::npos)
      << r.err;
}

// A quality check, then a publish step only when it passes, joined by a
// report that runs whichever way the condition went.
const char* const condition_workflow = R"(inputs:
  region: {type: str, default: eu}
  min_rows: {type: int, default: 1}
tasks:
  check:
    executor: process
    command: "echo 'ORK_OUTPUT:{\"rows\": 3, \"has_nulls\": false, \"name\": \"orders\"}'"
    output_type: {rows: int, has_nulls: bool, name: str}
  publish:
    executor: process
    command: "echo published"
    when: check.rows >= inputs.min_rows and not check.has_nulls and inputs.region in ["eu", "us"]
  after_publish: {executor: process, command: "true", depends_on: [publish]}
  report: {executor: process, command: "true", depends_on: [publish], trigger_rule: none_failed}
  eu_only: {executor: process, command: "true", when: "inputs.region == 'eu'"}
)";

TEST(Conditions, ATrueConditionRunsTheTaskAndMakesItsReferencesUpstream) {
  TempDir dir;
  dir.write("wf.yaml", condition_workflow);
  CommandResult validate = run_ork({"validate", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  auto depends = parse_json(validate.out).at("tasks").at("publish").at("depends_on").as_array();
  ASSERT_EQ(depends.size(), 1u) << "a task the condition reads is upstream";
  EXPECT_EQ(depends[0].as_string(), "check");
  const boost::json::value validated = parse_json(validate.out);
  const boost::json::value& shown = validated.at("tasks");
  EXPECT_EQ(shown.at("publish").at("when").as_string(),
            "check.rows >= inputs.min_rows and not check.has_nulls and inputs.region in [\"eu\", \"us\"]");
  EXPECT_EQ(shown.at("report").at("trigger_rule").as_string(), "none_failed");
  EXPECT_FALSE(shown.at("check").as_object().contains("when"));
  EXPECT_FALSE(shown.at("check").as_object().contains("trigger_rule"));
  CommandResult human = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_NE(human.out.find("    trigger_rule: none_failed\n"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("    when: inputs.region == 'eu'\n"), std::string::npos) << human.out;

  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(task_status(run, "publish"), "succeeded");
  EXPECT_EQ(task_status(run, "after_publish"), "succeeded");
  EXPECT_EQ(task_status(run, "report"), "succeeded");
  EXPECT_EQ(task_status(run, "eu_only"), "succeeded");
}

TEST(Conditions, AFalseConditionSkipsTheTaskWithItsReasonAndSkippingFollowsTheRules) {
  TempDir dir;
  dir.write("wf.yaml", condition_workflow);
  int code = 0;
  auto run = run_json(dir, {"wf.yaml", "--input", "min_rows=10", "--input", "region=asia"}, code);
  EXPECT_EQ(code, 0) << "a run whose tasks were only skipped by conditions succeeds";
  EXPECT_EQ(run.at("status").as_string(), "succeeded");
  EXPECT_EQ(task_status(run, "publish"), "skipped");
  EXPECT_EQ(run.at("tasks").at("publish").at("error").as_string(),
            "condition is false: when: check.rows >= inputs.min_rows and not check.has_nulls and inputs.region in "
            "[\"eu\", \"us\"]");
  EXPECT_EQ(task_status(run, "after_publish"), "skipped");
  EXPECT_EQ(run.at("tasks").at("after_publish").at("error").as_string(), "upstream task 'publish' was skipped");
  EXPECT_EQ(task_status(run, "report"), "succeeded") << "none_failed joins the branches of a when";
  EXPECT_EQ(task_status(run, "eu_only"), "skipped") << "a root task's condition over inputs";
}

TEST(Conditions, BadConditionsAreRefusedAtTheirPlaceNamingTypes) {
  TempDir dir;
  dir.write("wf.yaml", R"(inputs:
  region: eu
tasks:
  check:
    executor: process
    command: "true"
    output_type: {rows: int, name: str}
  a: {executor: process, command: "true", when: check.name > 3}
  b: {executor: process, command: "true", when: check.rows}
  c: {executor: process, command: "true", when: chek.rows > 0}
  d: {executor: process, command: "true", when: "check.rowz > 0"}
  e: {executor: process, command: "true", when: check.rows = 1}
  f: {executor: process, command: "true", when: inputs.regoin == "eu"}
  g: {executor: process, command: "true", when: [1]}
)");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  for (const char* expected :
       {"wf.yaml:8:60: task \"a\": when: cannot compare check.name (str) with 3 (int) using >",
        "wf.yaml:9:49: task \"b\": when: the condition is int (check.rows), not bool",
        "wf.yaml:10:49: task \"c\": when: unknown name \"chek\" (did you mean \"check\"?)",
        "wf.yaml:11:50: task \"d\": when: check has no output field \"rowz\"",
        "wf.yaml:12:60: task \"e\": when: unexpected character '=' (compare with ==)",
        "wf.yaml:13:49: task \"f\": when: inputs.regoin names no workflow input \"regoin\" (did you mean \"region\"?)",
        "wf.yaml:14:49: task \"g\": \"when\" must be a condition such as check.rows > 0, not a list"}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path() / ".ork"));
}

TEST(Conditions, AConditionOnAnUpstreamThatRanAnywaySeesNull) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  check: {executor: process, command: "exit 1", output_type: {rows: int}}
  cleanup:
    executor: process
    command: "echo cleaned"
    trigger_rule: all_done
    when: check.rows == null
  publish:
    executor: process
    command: "true"
    trigger_rule: all_done
    when: check.rows > 0
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(task_status(run, "cleanup"), "succeeded");
  EXPECT_EQ(task_status(run, "publish"), "skipped");
}

std::string latest_run_id(const TempDir& dir) {
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  return std::string(parse_json(runs.out).at("runs").at(0).at("run_id").as_string());
}

TEST(Resume, TriggerRulesAndConditionsAreJudgedFromTheRecordedStates) {
  TempDir dir;
  // `slow` waits until the test lets it finish (the file `go`), so the run
  // can be killed with `fails` recorded failed and nothing downstream decided.
  dir.write("wf.yaml", R"(tasks:
  fails: {executor: process, command: "exit 1"}
  check: {executor: process, command: "echo 'ORK_OUTPUT:{\"rows\": 0}'", output_type: {rows: int}}
  slow: {executor: process, command: "while [ ! -f go ]; do sleep 0.05; done; echo ORK_OUTPUT:1"}
  hook: {executor: process, command: "true", depends_on: [fails, slow], trigger_rule: any_failed}
  publish: {executor: process, command: "true", depends_on: [slow], when: check.rows > 0}
  report: {executor: process, command: "true", depends_on: [publish], trigger_rule: none_failed}
)");
  {
    BackgroundOrk run({"run", "wf.yaml", "--concurrency", "3"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("✗ fails failed", 20000)) << run.out() << run.err();
    ASSERT_TRUE(run.wait_for_output("✓ check succeeded", 20000)) << run.out() << run.err();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  std::string run_id = latest_run_id(dir);
  dir.write("go", "");
  CommandResult resumed = run_ork({"resume", run_id, "--json"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 1) << resumed.out << resumed.err;
  auto run = parse_json(resumed.out).as_object();
  EXPECT_EQ(run.at("status").as_string(), "failed");
  EXPECT_EQ(task_status(run, "fails"), "failed");
  EXPECT_EQ(task_status(run, "slow"), "succeeded");
  EXPECT_EQ(task_status(run, "hook"), "succeeded") << "any_failed sees the failure recorded before the kill";
  EXPECT_EQ(task_status(run, "publish"), "skipped");
  EXPECT_EQ(task_status(run, "report"), "succeeded");
}

TEST(Resume, ARunTimeoutCountsFromTheFirstStart) {
  TempDir dir;
  dir.write("wf.yaml", "timeout: 2s\ntasks:\n  slow: {executor: process, command: \"sleep 30\"}\n");
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("slow started", 20000)) << run.out() << run.err();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  std::string run_id = latest_run_id(dir);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto started = std::chrono::steady_clock::now();
  CommandResult resumed = run_ork({"resume", run_id, "--json"}, dir.path());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10))
      << "past its deadline, the resumed run is cancelled at once";
  EXPECT_EQ(resumed.exit_code, 1) << resumed.err;
  auto run = parse_json(resumed.out).as_object();
  EXPECT_EQ(run.at("status").as_string(), "cancelled");
  EXPECT_NE(std::string(run.at("error").as_string()).find("run timed out"), std::string::npos);
}

}  // namespace
}  // namespace ork::test
