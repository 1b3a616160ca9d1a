// The real `ork` on workflows of TypeScript tasks ({file: x.ts, function: f}):
// signatures typed from source and checked on every edge (also against a
// python task), refusals with their exit code, a run whose failing task fails
// alone, and no recompile of an unchanged workflow.
#include <gtest/gtest.h>

#include <fstream>

#include "e2e_support.hpp"

namespace ork::test {
namespace {

constexpr const char* kTypes = "export type int = number;\n"
                               "export interface Row { id: int; name: string }\n";
constexpr const char* kTasks = "import { int, Row } from './types';\n"
                               "export function load(count: int): Row[] {\n"
                               "  return Array.from({ length: count }, (_, i) => ({ id: i, name: `row${i}` }));\n"
                               "}\n"
                               "export function names(rows: Row[]): string[] {\n"
                               "  console.log(`naming ${rows.length} rows`);\n"
                               "  return rows.map((r) => r.name);\n"
                               "}\n"
                               "export function total(values: number[]): int {\n"
                               "  return values.length;\n"
                               "}\n"
                               "export function boom(rows: Row[]): int {\n"
                               "  throw new Error(`no luck with ${rows.length} rows`);\n"
                               "}\n";

void write_project(const TempDir& dir, const std::string& yaml) {
  dir.write("tasks/types.ts", kTypes);
  dir.write("tasks/etl.ts", kTasks);
  dir.write("wf.yaml", yaml);
}

TEST(TypeScriptE2E, ValidatesAndRunsAChainOfTypeScriptTasks) {
  TempDir dir("ork-ts-e2e");
  write_project(dir, "name: wf\n"
                     "tasks:\n"
                     "  load: {file: tasks/etl.ts, function: load, inputs: {count: 3}}\n"
                     "  names: {file: tasks/etl.ts, function: names, inputs: {rows: {from: load}}}\n");
  CommandResult validated = run_ork({"validate", "wf.yaml"}, dir.path());
  ASSERT_EQ(validated.exit_code, 0) << validated.out << validated.err;
  EXPECT_NE(validated.out.find("load [typescript on node]"), std::string::npos) << validated.out;
  EXPECT_NE(validated.out.find("(count: int) -> list[{id: int, name: str}]"), std::string::npos) << validated.out;

  CommandResult ran = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  auto run = parse_json(ran.out).as_object();
  std::string run_id(run.at("run_id").as_string());
  EXPECT_EQ(run.at("tasks").at("names").at("output"), parse_json(R"(["row0", "row1", "row2"])")) << ran.out;
  CommandResult logs = run_ork({"logs", run_id, "names"}, dir.path());
  EXPECT_NE(logs.out.find("naming 3 rows"), std::string::npos) << logs.out << logs.err;
}

TEST(TypeScriptE2E, AMistypedEdgeIsRefusedBeforeAnythingRuns) {
  TempDir dir("ork-ts-e2e");
  write_project(dir, "name: wf\n"
                     "tasks:\n"
                     "  load: {file: tasks/etl.ts, function: load, inputs: {count: 3}}\n"
                     "  total: {file: tasks/etl.ts, function: total, inputs: {values: {from: load}}}\n");
  CommandResult validated = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(validated.exit_code, 2) << validated.out << validated.err;
  EXPECT_NE(validated.err.find("task \"total\" (typescript) input \"values\": the output of load (typescript) is list[{id: int, name: str}], "
                               "but parameter \"values\" expects list[float]"),
            std::string::npos)
      << validated.err;
  CommandResult ran = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(ran.exit_code, 2);
}

TEST(TypeScriptE2E, EdgesWithPythonAreTypedBothWays) {
  TempDir dir("ork-ts-e2e");
  dir.write("tasks/make.py", "def make(n: int) -> list[dict[str, int]]:\n    return [{'id': i} for i in range(n)]\n\n\n"
                             "def words(n: int) -> list[str]:\n    return ['w'] * n\n");
  write_project(dir, "name: wf\n"
                     "tasks:\n"
                     "  make: {file: tasks/make.py, function: make, inputs: {n: 2}}\n"
                     "  count: {file: tasks/etl.ts, function: total, inputs: {values: {from: make}}}\n");
  CommandResult refused = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the output of make is list[dict[str, int]], but parameter \"values\" expects "
                             "list[float]"),
            std::string::npos)
      << refused.err;

  dir.write("wf.yaml", "name: wf\n"
                       "tasks:\n"
                       "  words: {file: tasks/make.py, function: words, inputs: {n: 2}}\n"
                       "  count: {file: tasks/etl.ts, function: total, inputs: {values: {from: words}}}\n");
  refused = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;

  dir.write("tasks/make.py", "def floats(n: int) -> list[float]:\n    return [0.5] * n\n");
  dir.write("wf.yaml", "name: wf\n"
                       "tasks:\n"
                       "  floats: {file: tasks/make.py, function: floats, inputs: {n: 4}}\n"
                       "  count: {file: tasks/etl.ts, function: total, inputs: {values: {from: floats}}}\n");
  CommandResult ran = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_EQ(parse_json(ran.out).at("tasks").at("count").at("output"), 4);
}

TEST(TypeScriptE2E, RefusalsCarryTheSourceLocation) {
  TempDir dir("ork-ts-e2e");
  dir.write("bad.ts", "export function f(x: any): number { return 1; }\n"
                      "export function g(n: number): number {\n  return n +;\n}\n");
  dir.write("wf.yaml", "name: wf\n"
                       "tasks:\n"
                       "  a: {file: bad.ts, function: f}\n"
                       "  b: {file: bad.ts, function: mian}\n");
  CommandResult validated = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(validated.exit_code, 2) << validated.out << validated.err;
  EXPECT_NE(validated.err.find("bad.ts:3:13: TS1109: Expression expected."), std::string::npos) << validated.err;

  dir.write("bad.ts", "export function f(x: any): number { return 1; }\n");
  validated = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(validated.exit_code, 2);
  EXPECT_NE(validated.err.find("task \"a\": bad.ts:1:22: function 'f' parameter 'x': type 'any' is not supported"),
            std::string::npos)
      << validated.err;
  EXPECT_NE(validated.err.find("task \"b\": no exported function 'mian' in bad.ts"), std::string::npos)
      << validated.err;
}

TEST(TypeScriptE2E, ANodeTaskWithoutItsSourceIsRefused) {
  TempDir dir("ork-ts-e2e");
  dir.write("m.js", "exports.f = () => 1;\n");
  dir.write("wf.yaml", "name: wf\ntasks:\n  a: {executor: node, module: " + (dir.path() / "m.js").string() +
                           ", function: f, parameters: []}\n");
  CommandResult validated = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(validated.exit_code, 2) << validated.out << validated.err;
  EXPECT_NE(validated.err.find("a task on the node executor names its TypeScript source and function: "
                               "{file: tasks/x.ts, function: f}"),
            std::string::npos)
      << validated.err;
}

TEST(TypeScriptE2E, AThrowingTaskFailsAloneWithItsMessage) {
  TempDir dir("ork-ts-e2e");
  write_project(dir, "name: wf\n"
                     "tasks:\n"
                     "  load: {file: tasks/etl.ts, function: load, inputs: {count: 2}}\n"
                     "  boom: {file: tasks/etl.ts, function: boom, inputs: {rows: {from: load}}}\n"
                     "  names: {file: tasks/etl.ts, function: names, inputs: {rows: {from: load}}}\n");
  CommandResult ran = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  EXPECT_NE(ran.exit_code, 0);
  auto run = parse_json(ran.out).as_object();
  const auto& tasks = run.at("tasks").as_object();
  EXPECT_EQ(tasks.at("load").at("status"), "succeeded") << ran.out;
  EXPECT_EQ(tasks.at("names").at("status"), "succeeded") << ran.out;
  EXPECT_EQ(tasks.at("boom").at("status"), "failed") << ran.out;
  std::string boom_error(tasks.at("boom").at("error").as_string());
  EXPECT_NE(boom_error.find("Error: no luck with 2 rows (at "), std::string::npos) << boom_error;
  EXPECT_NE(boom_error.find("tasks/etl.ts:13:9)"), std::string::npos) << boom_error;
}

TEST(TypeScriptE2E, OrksSecretsNeverReachATaskButItsOwnEnvDoes) {
  TempDir dir("ork-ts-e2e");
  dir.write("tasks/env.ts", "export function seen(): string[] {\n"
                            "  return [process.env.ORK_API_TOKEN ?? 'unset', process.env.PGPASSWORD ?? 'unset',\n"
                            "          process.env.MINE ?? 'unset'];\n"
                            "}\n");
  dir.write("wf.yaml", "name: wf\n"
                       "tasks:\n"
                       "  seen: {file: tasks/env.ts, function: seen, env: {MINE: own}}\n");
  CommandResult ran = run_ork({"run", "wf.yaml", "--json"}, dir.path(),
                              {"ORK_API_TOKEN=host-token-123", "PGPASSWORD=host-password-456"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_EQ(parse_json(ran.out).at("tasks").at("seen").at("output"), parse_json(R"(["unset", "unset", "own"])"))
      << ran.out;
}

TEST(TypeScriptE2E, AnUnchangedWorkflowIsNotCompiledAgain) {
  TempDir dir("ork-ts-e2e");
  write_project(dir, "name: wf\n"
                     "tasks:\n"
                     "  load: {file: tasks/etl.ts, function: load, inputs: {count: 3}}\n");
  // Every start of Node.js is noted, with its arguments, in node-calls.log.
  dir.write("node", "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/node-calls.log\"\nexec node \"$@\"\n");
  std::filesystem::permissions(dir.path() / "node", std::filesystem::perms::owner_all);
  const std::vector<std::string> env{"ORK_NODE=" + (dir.path() / "node").string()};
  auto compiles = [&] {  // the starts of Node.js that did more than print its version, since the last call
    std::ifstream in(dir.path() / "node-calls.log");
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);) count += line != "--version";
    std::filesystem::remove(dir.path() / "node-calls.log");
    return count;
  };
  auto builds = [&] {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / ".ork" / "build" / "typescript")) {
      if (entry.is_directory() && entry.path().filename() != "index") ++count;
    }
    return count;
  };
  ASSERT_EQ(run_ork({"validate", "wf.yaml"}, dir.path(), env).exit_code, 0);
  EXPECT_EQ(builds(), 1u);
  EXPECT_GT(compiles(), 0u);
  ASSERT_EQ(run_ork({"validate", "wf.yaml"}, dir.path(), env).exit_code, 0);
  EXPECT_EQ(builds(), 1u);
  EXPECT_EQ(compiles(), 0u) << "an unchanged workflow started the TypeScript compiler";
  dir.write("tasks/types.ts", std::string(kTypes) + "export const changed = true;\n");
  ASSERT_EQ(run_ork({"validate", "wf.yaml"}, dir.path(), env).exit_code, 0);
  EXPECT_EQ(builds(), 2u);
  EXPECT_GT(compiles(), 0u);
}

}  // namespace
}  // namespace ork::test
