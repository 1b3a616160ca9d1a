// prepare: content-addressed builds in the build directory, rebuilt when a
// source (the task file or a file it imports) changes and never otherwise, a
// cached prepare well under 5 ms, and concurrent prepares that agree.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "plugin_harness.hpp"

namespace ork::plugins::typescript::test {
namespace {

std::filesystem::path build_root(const TempDir& dir) { return dir.path() / ".ork" / "build" / "typescript"; }

std::vector<std::string> build_dirs(const TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(build_root(dir))) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name != "index") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string module_of(const CheckOutcome& outcome) {
  return outcome.config ? std::string(outcome.config->at("module").as_string()) : std::string();
}

TEST(TypeScriptBuild, PrepareAnswersTheNodeExecutorConfig) {
  TempDir dir("ork-ts-build");
  dir.write("tasks/t.ts", "export function f(a: number, b?: string, when: Date = new Date()): number { return a; }\n");
  CheckOutcome prepared = prepare(dir.path(), "tasks/t.ts", "f");
  ASSERT_TRUE(prepared.config) << prepared.error_text();
  const auto& config = *prepared.config;
  std::filesystem::path module = std::string(config.at("module").as_string());
  EXPECT_TRUE(std::filesystem::exists(module));
  EXPECT_EQ(module.parent_path().parent_path(), build_root(dir));
  EXPECT_EQ(module.filename(), "t.js");
  EXPECT_EQ(config.at("function"), "f");
  EXPECT_EQ(config.at("parameters"), boost::json::parse(R"(["a", "b", "when"])"));
  EXPECT_EQ(config.at("optional"), boost::json::parse(R"(["b"])"));
  EXPECT_EQ(config.at("dates"), boost::json::parse(R"({"when": "date"})"));
}

TEST(TypeScriptBuild, UnchangedSourcesAreNotRebuiltAndACachedPrepareIsFast) {
  TempDir dir("ork-ts-build");
  dir.write("t.ts", "export function f(a: number): number { return a + 1; }\n");
  CheckOutcome first = prepare(dir.path(), "t.ts", "f");
  ASSERT_TRUE(first.config) << first.error_text();
  struct stat before {};
  ASSERT_EQ(::stat(module_of(first).c_str(), &before), 0);

  std::chrono::microseconds fastest{std::chrono::seconds(1)};
  for (int i = 0; i < 20; ++i) {
    CheckOutcome again = prepare(dir.path(), "t.ts", "f");
    ASSERT_EQ(module_of(again), module_of(first));
    fastest = std::min(fastest, again.elapsed);
  }
  EXPECT_LT(fastest.count(), 5000) << "a cached prepare took " << fastest.count() << " us";
  struct stat after {};
  ASSERT_EQ(::stat(module_of(first).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  EXPECT_EQ(build_dirs(dir).size(), 1u);

  // Touched but not changed: compiled again, and the same build is found, not remade.
  std::filesystem::last_write_time(dir.path() / "t.ts",
                                   std::filesystem::last_write_time(dir.path() / "t.ts") + std::chrono::seconds(2));
  CheckOutcome touched = prepare(dir.path(), "t.ts", "f");
  EXPECT_EQ(module_of(touched), module_of(first));
  ASSERT_EQ(::stat(module_of(first).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(build_dirs(dir).size(), 1u);
}

TEST(TypeScriptBuild, ChangedTaskFileIsRebuiltAndRunsTheNewCode) {
  TempDir dir("ork-ts-build");
  dir.write("t.ts", "export function f(a: number): number { return a + 1; }\n");
  RunOutcome old_run = prepare_and_run(dir.path(), "t.ts", "f", with_input(R"({"a": 1})"));
  EXPECT_EQ(old_run.output, "2") << old_run.log_text();
  std::string old_module = module_of(prepare(dir.path(), "t.ts", "f"));

  dir.write("t.ts", "export function f(a: number): number { return a + 100; }\n");
  CheckOutcome changed = prepare(dir.path(), "t.ts", "f");
  ASSERT_TRUE(changed.config) << changed.error_text();
  EXPECT_NE(module_of(changed), old_module);
  EXPECT_EQ(build_dirs(dir).size(), 2u);
  RunOutcome new_run = run(dir.path(), *changed.config, with_input(R"({"a": 1})"));
  EXPECT_EQ(new_run.output, "101") << new_run.log_text();
}

TEST(TypeScriptBuild, ChangedImportedFileIsRebuilt) {
  TempDir dir("ork-ts-build");
  dir.write("lib/rate.ts", "export const rate = 2;\n");
  dir.write("t.ts", "import { rate } from './lib/rate';\nexport function f(a: number): number { return a * rate; }\n");
  RunOutcome first = prepare_and_run(dir.path(), "t.ts", "f", with_input(R"({"a": 5})"));
  EXPECT_EQ(first.output, "10") << first.log_text();
  dir.write("lib/rate.ts", "export const rate = 3;\n");
  RunOutcome second = prepare_and_run(dir.path(), "t.ts", "f", with_input(R"({"a": 5})"));
  EXPECT_EQ(second.output, "15") << second.log_text();
}

TEST(TypeScriptBuild, ChangedSignatureIsSeenByIntrospect) {
  TempDir dir("ork-ts-build");
  dir.write("t.ts", "export function f(a: number): number { return a; }\n");
  ASSERT_TRUE(introspect(dir.path(), "t.ts", "f").signature);
  dir.write("t.ts", "export function f(a: string): string { return a; }\n");
  CheckOutcome changed = introspect(dir.path(), "t.ts", "f");
  ASSERT_TRUE(changed.signature) << changed.error_text();
  EXPECT_EQ(changed.signature->at("inputs").at("a"), "str");
}

TEST(TypeScriptBuild, ConcurrentPreparesOfOneSourceAgree) {
  TempDir dir("ork-ts-build");
  dir.write("t.ts", "export function f(a: number): number { return a * 2; }\n");
  std::vector<CheckOutcome> outcomes(4);
  std::vector<std::thread> threads;
  for (auto& outcome : outcomes) threads.emplace_back([&] { outcome = prepare(dir.path(), "t.ts", "f"); });
  for (auto& thread : threads) thread.join();
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.config) << outcome.error_text();
    EXPECT_EQ(module_of(outcome), module_of(outcomes[0]));
  }
  EXPECT_EQ(build_dirs(dir).size(), 1u);  // no temporary directory left behind
  RunOutcome ran = run(dir.path(), *outcomes[0].config, with_input(R"({"a": 21})"));
  EXPECT_EQ(ran.output, "42") << ran.log_text();
}

}  // namespace
}  // namespace ork::plugins::typescript::test
