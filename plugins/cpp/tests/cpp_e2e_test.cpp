// C++ function tasks through the real `ork` binary: `ork validate` shows
// signatures read from the source and refuses mistyped edges and unsupported
// or missing functions at their place; `ork run` passes data between C++
// tasks, a crash with `isolate: true` fails only its task, and the build
// under .ork/build/cpp is reused until a source changes.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

// A workflow directory holding the plugin's test task files.
class CppWorkflow {
 public:
  CppWorkflow() {
    for (const char* name : {"rank.cpp", "scoring.hpp", "refused.cpp", "crash.cpp"}) {
      fs::copy_file(fs::path(ORK_CPP_TEST_TASKS) / name, dir_.path() / "tasks" / name);
    }
  }
  const fs::path& path() const { return dir_.path(); }
  void write(const std::string& relative, const std::string& text) const { dir_.write(relative, text); }
  std::size_t builds() const {
    std::size_t count = 0;
    for (const auto& entry : fs::directory_iterator(dir_.path() / ".ork" / "build" / "cpp")) count += entry.is_directory();
    return count;
  }

 private:
  TempDir dir_{"ork-cpp-e2e"};
  bool created_ = fs::create_directories(dir_.path() / "tasks");
};

constexpr const char* pipeline = R"(name: cpp
tasks:
  sample: {file: tasks/rank.cpp, function: sample, inputs: {n: 4}}
  rank:
    file: tasks/rank.cpp
    function: rank
    inputs: {items: {from: sample}, top: 2}
  shout: {file: tasks/rank.cpp, function: text::shout, inputs: {word: hey}}
)";

TEST(CppLanguage, ValidateShowsSignaturesAndRunPassesDataBetweenTasks) {
  CppWorkflow wf;
  wf.write("wf.yaml", pipeline);
  CommandResult validated = run_ork({"validate", "wf.yaml"}, wf.path());
  ASSERT_EQ(validated.exit_code, 0) << validated.out << validated.err;
  EXPECT_NE(validated.out.find("  rank [cpp on library] after sample\n    (items: list[{name: str, score: float, "
                               "note?: str | None}], top: int) -> Ranked\n"),
            std::string::npos)
      << validated.out;
  CommandResult ran = run_ork({"run", "wf.yaml", "--json"}, wf.path());
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  boost::json::value tasks = parse_json(ran.out).at("tasks");
  EXPECT_EQ(tasks.at("rank").at("output"), boost::json::parse(R"({
    "items": [{"name": "i3", "score": 3.0, "note": null}, {"name": "i2", "score": 2.0, "note": null}],
    "positions": {"i3": 1, "i2": 2}})"));
  EXPECT_EQ(tasks.at("shout").at("output"), "heyhey!");
}

TEST(CppLanguage, MistypedEdgeAndBadFunctionsAreRefusedBeforeAnythingRuns) {
  CppWorkflow wf;
  wf.write("wf.yaml", R"(name: bad
tasks:
  shout: {file: tasks/rank.cpp, function: text::shout, inputs: {word: hey}}
  rank:
    file: tasks/rank.cpp
    function: rank
    inputs: {items: {from: shout}, top: 1}
  sets: {file: tasks/refused.cpp, function: with_set}
  gone: {file: tasks/rank.cpp, function: rnak}
)");
  CommandResult refused = run_ork({"run", "wf.yaml"}, wf.path());
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  const std::string& err = refused.err;
  EXPECT_NE(err.find("wf.yaml:7:28: task \"rank\" (cpp) input \"items\": the output of shout (cpp) is str, but parameter \"items\" "
                     "expects list[{name: str, score: float, note?: str | None}]\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("wf.yaml:8:10: task \"sets\": tasks/refused.cpp:7:28: function 'with_set' parameter 'values' "
                     "has type 'std::set<int>', which ork cannot type;"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("wf.yaml:9:32: task \"gone\": no function 'rnak' in tasks/rank.cpp"), std::string::npos) << err;
  EXPECT_NE(err.find("nothing was run or recorded"), std::string::npos) << err;
}

TEST(CppLanguage, SyntaxErrorIsShownAtItsPlaceInTheSource) {
  CppWorkflow wf;
  wf.write("tasks/broken.cpp", "#include <string>\n\nstd::string broken(std::string word) {\n  return word +;\n}\n");
  wf.write("wf.yaml", "name: broken\ntasks:\n  b: {file: tasks/broken.cpp, function: broken, inputs: {word: x}}\n");
  CommandResult refused = run_ork({"validate", "wf.yaml"}, wf.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("wf.yaml:3:7: task \"b\": tasks/broken.cpp:4:16: error: expected expression\n"),
            std::string::npos)
      << refused.err;
}

TEST(CppLanguage, CrashWithIsolateFailsOnlyThatTask) {
  CppWorkflow wf;
  wf.write("wf.yaml", R"(name: crash
tasks:
  crash: {file: tasks/crash.cpp, function: segfault, isolate: true, inputs: {x: 1}}
  fine: {file: tasks/crash.cpp, function: fail, isolate: true, inputs: {x: -2}}
  throws: {file: tasks/crash.cpp, function: fail, inputs: {x: 5}}
)");
  CommandResult ran = run_ork({"run", "wf.yaml", "--json"}, wf.path());
  EXPECT_NE(ran.exit_code, 0);
  boost::json::value tasks = parse_json(ran.out).at("tasks");
  EXPECT_EQ(tasks.at("crash").at("status"), "failed");
  EXPECT_EQ(tasks.at("fine").at("status"), "succeeded");
  EXPECT_EQ(tasks.at("fine").at("output"), -2);
  EXPECT_EQ(tasks.at("throws").at("status"), "failed");
  EXPECT_NE(std::string(tasks.at("throws").at("error").as_string()).find("x must not be positive, got 5"),
            std::string::npos);
}

TEST(CppLanguage, BuildIsReusedUntilASourceChanges) {
  CppWorkflow wf;
  wf.write("wf.yaml", R"(name: reuse
tasks:
  rank:
    file: tasks/rank.cpp
    function: rank
    inputs: {items: [{name: a, score: 1}, {name: b, score: 2}], top: 1}
)");
  CommandResult first = run_ork({"run", "wf.yaml", "--json"}, wf.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(parse_json(first.out).at("tasks").at("rank").at("output").at("positions"), boost::json::parse(R"({"b": 1})"));
  CommandResult again = run_ork({"run", "wf.yaml"}, wf.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(wf.builds(), 1u);
  wf.write("tasks/scoring.hpp", "#pragma once\nnamespace scoring {\ninline double weight(double s) { return -s; }\n}\n");
  CommandResult changed = run_ork({"run", "wf.yaml", "--json"}, wf.path());
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(parse_json(changed.out).at("tasks").at("rank").at("output").at("positions"),
            boost::json::parse(R"({"a": 1})"));
  EXPECT_EQ(wf.builds(), 2u);
}

}  // namespace
}  // namespace ork::test
