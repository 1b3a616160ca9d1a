// The python executor's examples (examples/python-*) through the real `ork`
// binary: what they bind, what `validate --json` shows, what they record.
#include "python_support.hpp"

#include <gtest/gtest.h>

namespace ork::test::python {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Copies examples/<name> into dir/<name>.
void copy_example(const TempDir& dir, const std::string& name) {
  fs::copy(source_path("examples/" + name), dir.path() / name, fs::copy_options::recursive);
}

TEST(PythonExamples, SimpleArgsBindsConstantsADefaultAndAnUpstreamByName) {
  TempDir dir;
  copy_example(dir, "simple_args");
  CommandResult r = run_ork({"run", "simple_args/simple_args.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object run = parse_json(r.out).as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(task_of(run, "add_math").at("output"), 15);
  EXPECT_EQ(task_of(run, "greet").at("output"), "HELLO, ORK! THE SUM IS 15.");
  EXPECT_EQ(logs_after_worker_line(dir, std::string(run.at("run_id").as_string()), "add_math"), "5 + 10 = 15\n");
}

TEST(PythonExamples, SimpleArgsValidateJsonShowsEachTasksTypes) {
  TempDir dir;
  copy_example(dir, "simple_args");
  CommandResult r = run_ork({"validate", "simple_args/simple_args.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r.out), parse_json(R"({
    "ok": true, "errors": [], "workflow": "simple_args",
    "tasks": {
      "add_math": {"executor": "python", "depends_on": [], "inputs": {"a": "int", "b": "int"}, "defaults": ["b"],
                   "output": "int", "typed": true},
      "greet": {"executor": "python", "depends_on": ["add_math"],
                "inputs": {"name": "str", "add_math": "int", "shout": "bool"}, "defaults": ["shout"],
                "output": "str", "typed": true}}})"));
}

TEST(PythonExamples, QuickstartFillsTheWarehouseUnderItsOwnDotOrk) {
  TempDir dir;
  copy_example(dir, "quickstart");
  CommandResult r = run_ork({"run", "quickstart/elt_pipeline.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object run = parse_json(r.out).as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("inputs"), parse_json(R"({"warehouse": ".ork/warehouse.db", "top": 3})"));
  EXPECT_EQ(task_of(run, "bronze_comments").at("output"), parse_json(R"({"table": "bronze_comments", "rows": 9})"));
  EXPECT_EQ(task_of(run, "silver_posts").at("output"),
            parse_json(R"({"table": "silver_posts", "rows": 4, "dropped": 1})"));
  EXPECT_EQ(task_of(run, "silver_comments").at("output"),
            parse_json(R"({"table": "silver_comments", "rows": 8, "dropped": 1})"));
  EXPECT_EQ(task_of(run, "gold_analytics").at("output"), parse_json(R"({
    "top_posts": [
      {"post_id": 1, "title": "Notes on the analytical engine", "author": "Ada Lovelace", "comments": 3},
      {"post_id": 3, "title": "Go to considered harmful", "author": "Edsger Dijkstra", "comments": 2},
      {"post_id": 2, "title": "Finding the first bug", "author": "Grace Hopper", "comments": 1}],
    "user_engagement": [
      {"user_id": 1, "name": "Ada Lovelace", "posts": 1, "comments_received": 3, "comments_written": 2},
      {"user_id": 2, "name": "Grace Hopper", "posts": 2, "comments_received": 2, "comments_written": 2},
      {"user_id": 3, "name": "Edsger Dijkstra", "posts": 1, "comments_received": 2, "comments_written": 2}]})"));

  // Tasks run in the workflow's directory, so the default warehouse is there.
  fs::path warehouse = dir.path() / "quickstart" / ".ork" / "warehouse.db";
  ASSERT_TRUE(fs::exists(warehouse));
  EXPECT_EQ(sqlite_rows(warehouse, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
            (std::vector<std::vector<std::string>>{{"bronze_comments"}, {"bronze_posts"}, {"bronze_users"},
                                                   {"gold_top_posts"}, {"gold_user_engagement"}, {"silver_comments"},
                                                   {"silver_posts"}, {"silver_users"}}));
  EXPECT_EQ(sqlite_rows(warehouse, "SELECT email, city FROM silver_users ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"ada@example.org", "London"}, {"grace@example.org", "Arlington"}, {"ewd@example.nl", "Nuenen"}}));

  // A second run rebuilds the same tables; a workflow input moves the warehouse.
  CommandResult again = run_ork({"run", "quickstart/elt_pipeline.yaml", "--json", "--input",
                                 "warehouse=" + (dir.path() / "elsewhere.db").string(), "--input", "top=1"},
                                dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(sqlite_rows(dir.path() / "elsewhere.db", "SELECT post_id, comments FROM gold_top_posts"),
            (std::vector<std::vector<std::string>>{{"1", "3"}}));
  EXPECT_EQ(sqlite_rows(warehouse, "SELECT count(*) FROM silver_comments"),
            (std::vector<std::vector<std::string>>{{"8"}}));
}

TEST(PythonExamples, QuickstartValidateJsonShowsTypedDictsAndDataclasses) {
  TempDir dir;
  copy_example(dir, "quickstart");
  CommandResult r = run_ork({"validate", "quickstart/elt_pipeline.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object tasks = parse_json(r.out).at("tasks").as_object();
  ASSERT_EQ(tasks.size(), 7u);
  EXPECT_EQ(tasks.at("bronze_users"), parse_json(R"({"executor": "python", "depends_on": [],
    "inputs": {"source": "str", "warehouse": "str"}, "defaults": [], "output": "{table: str, rows: int}",
    "typed": true})"));
  EXPECT_EQ(tasks.at("silver_posts"), parse_json(R"({"executor": "python", "depends_on": ["bronze_posts"],
    "inputs": {"bronze_posts": "{table: str, rows: int}", "warehouse": "str"}, "defaults": [],
    "output": "{table: str, rows: int, dropped: int}", "typed": true})"));
  EXPECT_EQ(tasks.at("gold_analytics"), parse_json(R"({"executor": "python",
    "depends_on": ["silver_comments", "silver_posts", "silver_users"],
    "inputs": {"silver_posts": "{table: str, rows: int, dropped: int}",
               "silver_comments": "{table: str, rows: int, dropped: int}",
               "silver_users": "{table: str, rows: int, dropped: int}", "warehouse": "str", "top": "int"},
    "defaults": ["top"],
    "output": "{top_posts: list[{post_id: int, title: str, author: str, comments: int}], user_engagement: list[{user_id: int, name: str, posts: int, comments_received: int, comments_written: int}]}",
    "typed": true})"));
}

TEST(PythonExamples, FastChainAndFan) {
  TempDir dir;
  copy_example(dir, "fast");
  CommandResult validate = run_ork({"validate", "fast/fan.yaml", "--json"}, dir.path());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  json::value fan_tasks = parse_json(validate.out).at("tasks");
  EXPECT_EQ(fan_tasks.at("leaf200"), parse_json(R"({"executor": "python", "depends_on": ["start"],
    "inputs": {"start": "int", "i": "int"}, "defaults": [], "output": "int", "typed": true})"));
  EXPECT_EQ(fan_tasks.at("total").at("inputs"), parse_json(R"({"upstream": "dict[str, int]"})"));
  EXPECT_EQ(fan_tasks.at("total").at("depends_on").as_array().size(), 200u);

  CommandResult chain = run_ork({"run", "fast/chain.yaml", "--json"}, dir.path());
  ASSERT_EQ(chain.exit_code, 0) << chain.err;
  json::object chain_run = parse_json(chain.out).as_object();
  EXPECT_EQ(chain_run.at("tasks").as_object().size(), 40u);
  EXPECT_EQ(task_of(chain_run, "t40").at("output"), 40);

  CommandResult fan = run_ork({"run", "fast/fan.yaml", "--json", "--concurrency", "2"}, dir.path());
  ASSERT_EQ(fan.exit_code, 0) << fan.err;
  json::object fan_run = parse_json(fan.out).as_object();
  EXPECT_EQ(fan_run.at("tasks").as_object().size(), 202u);
  EXPECT_EQ(task_of(fan_run, "leaf007").at("output"), 7);
  EXPECT_EQ(task_of(fan_run, "total").at("output"), 20100);  // 1 + 2 + ... + 200
  std::string run_id(fan_run.at("run_id").as_string());
  EXPECT_EQ(sqlite_rows(dir.path() / ".ork/ork.db",
                        "SELECT count(*) FROM attempts WHERE status = 'succeeded' AND run_id = '" + run_id + "'"),
            (std::vector<std::vector<std::string>>{{"202"}}));
}

}  // namespace
}  // namespace ork::test::python
