// Command-line promises of docs/cli.md: --json keeps stdout for the final
// object and sends progress to stderr; an ambiguous run-id prefix is a usage
// error listing the candidates; an in-memory SQLite URL is refused; --help
// lists every flag the commands take; the run header shows the concurrency
// actually applied.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>

namespace ork::test {
namespace {

TEST(Cli, JsonKeepsStdoutForTheObjectAndSendsProgressToStderr) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  greet: {executor: process, command: \"echo 'ORK_OUTPUT:1'\"}\n");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  boost::json::value run = parse_json(r.out);  // stdout is exactly one JSON object
  const std::string run_id(run.at("run_id").as_string());
  EXPECT_NE(r.err.find("run " + run_id + " of wf (1 task, concurrency "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("greet started\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("greet succeeded in "), std::string::npos) << r.err;
}

TEST(Cli, AmbiguousRunIdPrefixExitsTwoListingTheCandidates) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  t: {executor: process, command: \"true\"}\n");
  // Run ids are random hex: among 17 runs two share their first character.
  std::map<char, std::vector<std::string>> by_first;
  std::string prefix;
  for (int i = 0; i < 17 && prefix.empty(); ++i) {
    CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string id(parse_json(r.out).at("run_id").as_string());
    by_first[id[0]].push_back(id);
    if (by_first[id[0]].size() == 2) prefix = std::string(1, id[0]);
  }
  ASSERT_FALSE(prefix.empty());
  std::vector<std::string> ids = by_first[prefix[0]];
  std::sort(ids.begin(), ids.end());
  CommandResult r = run_ork({"tasks", prefix}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ork: run id prefix '" + prefix + "' is ambiguous; it matches:\n  " + ids[0] + "\n  " + ids[1] +
                       "\ngive more characters of the id\n");
}

TEST(Cli, InMemorySqliteIsRefusedAndCreatesNoFile) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  t: {executor: process, command: \"true\"}\n");
  CommandResult r = run_ork({"run", "wf.yaml", "--db", "sqlite::memory:"}, dir.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("an in-memory database is not supported"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lost when ork exits"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ":memory:"));
}

// The usage line of `command` in `ork --help` (with its continuation line).
std::string help_line(const std::string& help, const std::string& command) {
  std::size_t at = help.find("\n  " + command + " ");
  if (at == std::string::npos) return "";
  std::size_t end = help.find("\n  ", at + 3);
  return help.substr(at, end - at);
}

TEST(Cli, HelpListsEveryFlagOfEachCommand) {
  TempDir dir;
  CommandResult r = run_ork({"--help"}, dir.path());
  ASSERT_EQ(r.exit_code, 0);
  const std::map<std::string, std::vector<std::string>> flags = {
      {"run", {"--input", "--json", "--concurrency", "--idempotency-key", "--workers-only"}},
      {"resume", {"--json", "--concurrency"}},
      {"serve", {"--bind", "--workflows", "--token-file", "--concurrency", "--workers-only"}},
      {"trigger", {"--input", "--idempotency-key", "--server", "--json"}},
  };
  for (const auto& [command, names] : flags) {
    const std::string line = help_line(r.out, command);
    ASSERT_FALSE(line.empty()) << command;
    for (const std::string& flag : names) EXPECT_NE(line.find(flag), std::string::npos) << command << ": " << flag;
  }
}

TEST(Cli, RunHeaderShowsTheConcurrencyApplied) {
  TempDir dir;
  dir.write("wf.yaml", "concurrency: 2\ntasks:\n  t: {executor: process, command: \"true\"}\n");
  CommandResult capped = run_ork({"run", "wf.yaml", "--concurrency", "8"}, dir.path());
  ASSERT_EQ(capped.exit_code, 0) << capped.err;
  EXPECT_NE(capped.out.find(" of wf (1 task, concurrency 2, the workflow's limit)\n"), std::string::npos) << capped.out;
  CommandResult under = run_ork({"run", "wf.yaml", "--concurrency", "1"}, dir.path());
  EXPECT_NE(under.out.find(" of wf (1 task, concurrency 1)\n"), std::string::npos) << under.out;
}

// docs/cli.md: graph nodes show each task's typed signature, with the output
// type whenever it is known (also for a process task with only output_type).
TEST(Cli, GraphNodesShowKnownOutputTypes) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n"
                       "  typed: {executor: process, command: \"echo 'ORK_OUTPUT:[1]'\", output_type: \"list[int]\"}\n"
                       "  loose: {executor: process, command: \"true\", depends_on: [typed]}\n");
  CommandResult r = run_ork({"graph", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"typed\" [label=\"typed [process]\\n() -> list[int]\"];"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"loose\" [label=\"loose [process]\\n() -> Any\"];"), std::string::npos) << r.out;
}

// docs/cli.md: `ork workers` lists each worker's executors and slots.
TEST(Cli, WorkersListsExecutorsAndSlots) {
  TempDir dir;
  BackgroundOrk worker({"worker", "--slots", "3", "--name", "w1", "--executors", "process"}, dir.path());
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  std::string listed;
  ASSERT_TRUE(eventually(
      [&] {
        listed = run_ork({"workers"}, dir.path()).out;
        return listed.find("w1") != std::string::npos;
      },
      10000))
      << listed;
  EXPECT_NE(listed.find("SLOTS"), std::string::npos) << listed;
  EXPECT_NE(listed.find("EXECUTORS"), std::string::npos) << listed;
  std::string row = listed.substr(listed.find("\nw1"));
  EXPECT_NE(row.find(" 3 "), std::string::npos) << row;
  EXPECT_NE(row.find("process\n"), std::string::npos) << row;
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20000), 0) << worker.err();
}

}  // namespace
}  // namespace ork::test
