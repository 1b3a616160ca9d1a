// `ork runs`, `ork tasks`, `ork logs` and `ork plugins` against recorded runs.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

std::string run_workflow(TempDir& dir, const std::string& file) {
  CommandResult r = run_ork({"run", file, "--json"}, dir.path());
  return std::string(parse_json(r.out).at("run_id").as_string());
}

TEST(History, RunsListsNewestFirstWithFilters) {
  TempDir dir;
  dir.write("good.yaml", "tasks:\n  a: {executor: process, command: \"true\"}\n");
  dir.write("bad.yaml", "tasks:\n  a: {executor: process, command: \"false\"}\n");
  std::string first = run_workflow(dir, "good.yaml");
  std::string second = run_workflow(dir, "bad.yaml");
  std::string third = run_workflow(dir, "good.yaml");

  auto all = parse_json(run_ork({"runs", "--json"}, dir.path()).out).at("runs").as_array();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("run_id").as_string(), third);
  EXPECT_EQ(all[1].at("run_id").as_string(), second);
  EXPECT_EQ(all[2].at("run_id").as_string(), first);
  EXPECT_EQ(all[1].at("status").as_string(), "failed");
  EXPECT_EQ(all[1].at("workflow").as_string(), "bad");

  auto good = parse_json(run_ork({"runs", "--json", "--workflow", "good"}, dir.path()).out).at("runs").as_array();
  EXPECT_EQ(good.size(), 2u);
  auto failed = parse_json(run_ork({"runs", "--json", "--status", "failed"}, dir.path()).out).at("runs").as_array();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].at("run_id").as_string(), second);

  CommandResult table = run_ork({"runs"}, dir.path());
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find(second), std::string::npos);
  EXPECT_NE(table.out.find("failed"), std::string::npos);
}

TEST(History, TasksAcceptsAUniqueRunIdPrefix) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  a: {executor: process, command: \"echo 'ORK_OUTPUT:42'\"}\n");
  std::string run_id = run_workflow(dir, "wf.yaml");
  CommandResult r = run_ork({"tasks", run_id.substr(0, 8), "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r.out).at("run_id").as_string(), run_id);
  EXPECT_EQ(parse_json(r.out).at("tasks").at("a").at("output").as_int64(), 42);
  CommandResult table = run_ork({"tasks", run_id}, dir.path());
  EXPECT_NE(table.out.find("succeeded"), std::string::npos);
  EXPECT_NE(table.out.find("42"), std::string::npos);
}

TEST(History, UnknownRunIsAClearError) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  a: {executor: process, command: \"true\"}\n");
  run_workflow(dir, "wf.yaml");
  CommandResult r = run_ork({"tasks", "zzzz"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ork: no run 'zzzz'\n");
  CommandResult logs = run_ork({"logs", "zzzz"}, dir.path());
  EXPECT_EQ(logs.exit_code, 2);
  EXPECT_EQ(logs.err, "ork: no run 'zzzz'\n");
}

TEST(History, LogsOfAllTasksArePrefixedWithTheTaskName) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  a: {executor: process, command: \"echo from-a\"}\n"
                       "  b: {executor: process, command: \"echo from-b\", depends_on: [a]}\n");
  std::string run_id = run_workflow(dir, "wf.yaml");
  CommandResult r = run_ork({"logs", run_id}, dir.path());
  EXPECT_EQ(r.out, "a | from-a\nb | from-b\n");
  CommandResult follow = run_ork({"logs", run_id, "b", "-f"}, dir.path());
  EXPECT_EQ(follow.exit_code, 0);
  EXPECT_EQ(follow.out, "from-b\n");
}

TEST(History, PluginsListsTheBuiltInPlugins) {
  TempDir dir;
  CommandResult r = run_ork({"plugins", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  std::vector<std::string> names;
  for (const auto& p : doc.at("loaded").as_array()) names.emplace_back(p.at("name").as_string());
  EXPECT_NE(std::find(names.begin(), names.end(), "process"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "sqlite"), names.end());
  EXPECT_TRUE(doc.at("refused").as_array().empty()) << r.out;
}

TEST(History, UsageErrorsExitWithTwo) {
  TempDir dir;
  EXPECT_EQ(run_ork({"frobnicate"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_ork({"frobnicate"}, dir.path()).err, "ork: unknown command 'frobnicate' (see `ork --help`)\n");
  EXPECT_EQ(run_ork({"run"}, dir.path()).err, "ork: `ork run` needs a workflow FILE\n");
  CommandResult bogus = run_ork({"run", "x.yaml", "--bogus"}, dir.path());
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_TRUE(bogus.err.starts_with("ork: `ork run` takes no flag --bogus; it takes --input, ")) << bogus.err;
  EXPECT_TRUE(bogus.err.ends_with(" (see `ork run --help`)\n")) << bogus.err;
}

}  // namespace
}  // namespace ork::test
