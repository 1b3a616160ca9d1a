// The polyglot-functions example (examples/polyglot-functions) end to end:
// Python -> TypeScript -> Rust -> C++ -> Python written as plain typed
// functions only. `ork validate` reads every signature from its source, a run
// passes the data through all five languages' tasks, and the mistyped variant
// (a Rust task returning float totals to a C++ task that takes int ones) is
// refused naming both tasks, both languages and both types, with nothing
// recorded. Each test works on a copy, so builds land in its own state dir.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace ork::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path copy_example(const TempDir& dir) {
  const fs::path source = fs::path(ORK_SOURCE_DIR) / "examples" / "polyglot-functions";
  const fs::path copy = dir.path() / "polyglot-functions";
  fs::copy(source, copy, fs::copy_options::recursive);
  return copy;
}

TEST(PolyglotFunctions, ValidatesWithEveryEdgeTypedFromTheSources) {
  TempDir dir;
  const fs::path example = copy_example(dir);
  CommandResult r = run_ork({"validate", "polyglot-functions.yaml", "--json"}, example);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::object tasks = parse_json(r.out).at("tasks").as_object();
  ASSERT_EQ(tasks.size(), 5u) << r.out;
  for (const auto& [name, task] : tasks) EXPECT_TRUE(task.at("typed").as_bool()) << name << ": " << r.out;
  EXPECT_EQ(tasks.at("clean").at("language").as_string(), "typescript") << r.out;
  EXPECT_EQ(tasks.at("score").at("language").as_string(), "rust") << r.out;
  EXPECT_EQ(tasks.at("rank").at("language").as_string(), "cpp") << r.out;
  // Types read from four languages meet on each edge.
  EXPECT_EQ(tasks.at("load").at("output").as_string(), "list[{player: str, points: int}]") << r.out;
  EXPECT_EQ(tasks.at("clean").at("inputs").at("rows").as_string(), "list[{player: str, points: int}]") << r.out;
  EXPECT_EQ(tasks.at("score").at("output").as_string(), "list[{player: str, total: int, games: int}]") << r.out;
  EXPECT_EQ(tasks.at("rank").at("inputs").at("items").as_string(), "list[{player: str, total: int, games: int}]")
      << r.out;
  EXPECT_EQ(tasks.at("report").at("inputs").at("ranked").as_string(), "list[{place: int, player: str, total: int}]")
      << r.out;
}

TEST(PolyglotFunctions, RunPassesTheDataThroughFiveTasksInFourLanguages) {
  TempDir dir;
  const fs::path example = copy_example(dir);
  CommandResult r = run_ork({"run", "polyglot-functions.yaml", "--json"}, example);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::object run = parse_json(r.out).as_object();
  ASSERT_EQ(run.at("status").as_string(), "succeeded") << r.out;
  const json::object& tasks = run.at("tasks").as_object();
  // clean dropped the negative and the impossible readings and trimmed names.
  EXPECT_EQ(tasks.at("clean").at("output").as_array().size(), 7u) << r.out;
  // score added each player's points (Rust), rank kept the top three (C++).
  EXPECT_EQ(tasks.at("score").at("output"),
            parse_json(R"([{"player": "ada", "total": 37, "games": 2}, {"player": "barbara", "total": 21, "games": 1},)"
                       R"( {"player": "grace", "total": 37, "games": 2}, {"player": "ken", "total": 58, "games": 2}])"))
      << r.out;
  EXPECT_EQ(tasks.at("report").at("output").as_string(),
            "1. ken (58 points)\n2. ada (37 points)\n3. grace (37 points)")
      << r.out;
  // console.log of the TypeScript task is a log line of its attempt.
  CommandResult logs = run_ork({"logs", run.at("run_id").as_string().c_str(), "clean"}, example);
  EXPECT_NE(logs.out.find("kept 7 of 9 readings"), std::string::npos) << logs.out << logs.err;
}

TEST(PolyglotFunctions, MistypedVariantIsRefusedNamingBothTasksLanguagesAndTypes) {
  TempDir dir;
  const fs::path example = copy_example(dir);
  CommandResult r = run_ork({"validate", "mistyped.yaml"}, example);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const std::string text = r.out + r.err;
  for (const char* part : {"rank", "score", "rust", "cpp", "total: float", "total: int"}) {
    EXPECT_NE(text.find(part), std::string::npos) << "no \"" << part << "\" in: " << text;
  }
  CommandResult run = run_ork({"run", "mistyped.yaml"}, example);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("nothing was run or recorded"), std::string::npos) << run.err;
  CommandResult runs = run_ork({"runs", "--json"}, example);
  EXPECT_EQ(runs.out.find("polyglot_functions_mistyped"), std::string::npos) << runs.out;
}

}  // namespace
}  // namespace ork::test
