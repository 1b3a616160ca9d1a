// Rust function tasks ({file: x.rs, function: f}) through the real `ork`
// binary and the rust language plugin: validate shows the signature read from
// the source, runs pass typed values between Rust tasks, mistyped edges and
// refused functions stop the workflow before anything runs, a panic or an
// abort fails only its task, and an edited file is rebuilt. Builds share one
// cargo target directory (CARGO_TARGET_DIR) so serde compiles once.
#include "e2e_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

namespace ork::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

const char* const kScore = R"(use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Scored {
    pub name: String,
    pub total: i64,
}

pub fn score(name: String, points: Vec<i64>) -> Scored {
    Scored { name, total: points.iter().sum() }
}

pub fn describe(score: Scored, suffix: Option<String>) -> String {
    format!("{} scored {}{}", score.name, score.total, suffix.unwrap_or_default())
}

#[derive(Deserialize)]
pub struct Order {
    pub id: i64,
    pub quantities: Vec<i64>,
}

pub fn order_total(order: Order) -> i64 {
    order.id * 1000 + order.quantities.iter().sum::<i64>()
}

pub fn half(n: i64) -> f64 {
    n as f64 / 2.0
}

pub fn explode(n: i64) -> i64 {
    if n > 0 {
        panic!("n was {}", n);
    }
    n
}

pub fn abort_now(n: i64) -> i64 {
    if n > 0 {
        std::process::abort();
    }
    n
}
)";

void write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.path() / name) << text;
}

CommandResult ork(const TempDir& dir, const std::vector<std::string>& args) {
  return run_ork(args, dir.path(), {"CARGO_TARGET_DIR=" ORK_E2E_RUST_TARGET});
}

json::object run_json(const TempDir& dir, int expected_exit) {
  CommandResult r = ork(dir, {"run", "wf.yaml", "--json"});
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  if (r.out.empty()) {
    ADD_FAILURE() << "no JSON on stdout; stderr:\n" << r.err;
    return {};
  }
  return parse_json(r.out).as_object();
}

const json::object& task_of(const json::object& run, const std::string& name) {
  return run.at("tasks").at(name).as_object();
}

TEST(RustLanguage, ValidateShowsTheSignatureReadFromTheSourceAndRunPassesTypedValues) {
  TempDir dir;
  write(dir, "score.rs", kScore);
  write(dir, "wf.yaml", R"(name: rust_e2e
tasks:
  score: {file: score.rs, function: score, inputs: {name: ada, points: [3, 4, 5]}}
  describe: {file: score.rs, function: describe, depends_on: [score]}
)");
  CommandResult validated = ork(dir, {"validate", "wf.yaml"});
  ASSERT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_THAT(validated.out, HasSubstr("score [rust on library]\n    (name: str, points: list[int]) -> Scored"));
  EXPECT_THAT(validated.out, HasSubstr("describe [rust on library] after score\n    (score: Scored, suffix: str | None = \u2026) -> str"));
  json::object run = run_json(dir, 0);
  EXPECT_EQ(task_of(run, "score").at("output"), json::parse(R"({"name": "ada", "total": 12})"));
  EXPECT_EQ(task_of(run, "describe").at("output"), "ada scored 12");
}

TEST(RustLanguage, AnOnlyStructParameterReceivesTheWholeInputWithItsFieldsChecked) {
  TempDir dir;
  write(dir, "score.rs", kScore);
  write(dir, "wf.yaml", R"(name: rust_whole
tasks:
  total: {file: score.rs, function: order_total, inputs: {id: 1, quantities: [2, 3]}}
  typo: {file: score.rs, function: order_total, inputs: {id: 1, quantity: [2]}}
)");
  CommandResult refused = ork(dir, {"validate", "wf.yaml"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("task \"typo\" has no parameter \"quantity\"; parameters: id, quantities"));
  write(dir, "wf.yaml", R"(name: rust_whole
tasks:
  total: {file: score.rs, function: order_total, inputs: {id: 1, quantities: [2, 3]}}
)");
  EXPECT_EQ(task_of(run_json(dir, 0), "total").at("output"), 1005);
}

TEST(RustLanguage, AMistypedEdgeIsRefusedBeforeAnythingRuns) {
  TempDir dir;
  write(dir, "score.rs", kScore);
  write(dir, "wf.yaml", R"(name: rust_mistyped
tasks:
  score: {file: score.rs, function: score, inputs: {name: ada, points: [1]}}
  half: {file: score.rs, function: half, inputs: {n: {from: score.name}}}
)");
  CommandResult r = ork(dir, {"run", "wf.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("task \"half\" (rust) input \"n\": score.name (rust) is str, but parameter \"n\" expects int"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".ork" / "ork.db") &&
               !sqlite_rows(dir.path() / ".ork" / "ork.db", "SELECT id FROM runs").empty());
}

TEST(RustLanguage, ARefusedFunctionIsACompileErrorAtItsLineAndColumn) {
  TempDir dir;
  write(dir, "bad.rs", "pub fn wide(x: u128) -> i64 {\n    x as i64\n}\n");
  write(dir, "wf.yaml", "name: rust_refused\ntasks:\n  wide: {file: bad.rs, function: wide, inputs: {n: 1}}\n");
  CommandResult r = ork(dir, {"validate", "wf.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.rs:1:16: function 'wide' parameter 'x': type 'u128' is not supported"));
}

TEST(RustLanguage, APanicOrAnAbortFailsOnlyItsTask) {
  TempDir dir;
  write(dir, "score.rs", kScore);
  write(dir, "wf.yaml", R"(name: rust_crashes
tasks:
  panics: {file: score.rs, function: explode, inputs: {n: 3}}
  aborts: {file: score.rs, function: abort_now, isolate: true, inputs: {n: 1}}
  fine: {file: score.rs, function: half, inputs: {n: 5}}
)");
  json::object run = run_json(dir, 1);
  EXPECT_EQ(task_of(run, "panics").at("status"), "failed");
  EXPECT_EQ(task_of(run, "panics").at("error"), "ork task panicked: n was 3");
  EXPECT_EQ(task_of(run, "aborts").at("status"), "failed");
  EXPECT_THAT(std::string(task_of(run, "aborts").at("error").as_string()), HasSubstr("SIGABRT"));
  EXPECT_EQ(task_of(run, "fine").at("output"), 2.5);
}

TEST(RustLanguage, AnEditedFileIsRebuiltAndAnUnchangedOneIsNot) {
  TempDir dir;
  write(dir, "wf.yaml", "name: rust_edit\ntasks:\n  value: {file: value.rs, function: value}\n");
  write(dir, "value.rs", "pub fn value() -> i64 { 1 }\n");
  EXPECT_EQ(task_of(run_json(dir, 0), "value").at("output"), 1);
  auto builds = [&] {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / ".ork" / "build" / "rust")) {
      if (std::filesystem::exists(entry.path() / "task.so")) ++count;
    }
    return count;
  };
  EXPECT_EQ(builds(), 1);
  EXPECT_EQ(task_of(run_json(dir, 0), "value").at("output"), 1);
  EXPECT_EQ(builds(), 1) << "an unchanged task was rebuilt";
  write(dir, "value.rs", "pub fn value() -> i64 { 2 }\n");
  EXPECT_EQ(task_of(run_json(dir, 0), "value").at("output"), 2);
  EXPECT_EQ(builds(), 2);
}

TEST(RustLanguage, ConcurrentPreparesOfTheSameTaskLeaveOneWholeBuild) {
  TempDir dir;
  write(dir, "wf.yaml", "name: rust_race\ntasks:\n  value: {file: value.rs, function: value}\n");
  write(dir, "value.rs", "pub fn value() -> i64 { 7 }\n");
  std::vector<std::unique_ptr<BackgroundOrk>> validations;
  for (int i = 0; i < 3; ++i) {
    validations.push_back(std::make_unique<BackgroundOrk>(std::vector<std::string>{"validate", "wf.yaml"}, dir.path(),
                                                          std::vector<std::string>{"CARGO_TARGET_DIR=" ORK_E2E_RUST_TARGET}));
  }
  for (auto& validation : validations) EXPECT_EQ(validation->wait(300'000), 0) << validation->err();
  int builds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / ".ork" / "build" / "rust")) {
    std::string name = entry.path().filename().string();
    EXPECT_NE(name.rfind(".tmp-", 0), 0u) << "a temporary build directory was left behind: " << name;
    if (std::filesystem::exists(entry.path() / "task.so")) ++builds;
  }
  EXPECT_EQ(builds, 1);
  EXPECT_EQ(task_of(run_json(dir, 0), "value").at("output"), 7);
}

}  // namespace
}  // namespace ork::test
