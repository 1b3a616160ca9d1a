// check_task through the plugin's C ABI: signatures (global, per function,
// from the C++ SDK, from an isolated worker) and every refusal, each on the
// YAML key it is about.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "plugin_harness.hpp"

namespace ork::plugins::library::testing {
namespace {

const char* const basic_signature = R"({"inputs": {}, "output": "{echo: Any}"})";

CheckResult check(const std::string& config) { return LibraryPlugin::get().check(config); }

// The single error reported, as "key: message".
std::string only_error(const CheckResult& result) {
  if (result.errors.size() != 1) return "expected one error, got " + std::to_string(result.errors.size());
  return result.errors[0].first + ": " + result.errors[0].second;
}

TEST(Check, DefaultFunctionReportsTheGlobalSignature) {
  CheckResult result = check(R"({"file": "basic.so"})");
  EXPECT_TRUE(result.errors.empty()) << only_error(result);
  EXPECT_EQ(result.signature, basic_signature);
}

// For `cache:`: the shared library is the task's code.
TEST(Check, TheLibraryFileIsTheTasksCode) {
  CheckResult result = check(R"({"file": "basic.so"})");
  ASSERT_TRUE(result.code_files.has_value());
  ASSERT_EQ(result.code_files->size(), 1u);
  EXPECT_TRUE(std::filesystem::path(result.code_files->front()).is_absolute());
  EXPECT_EQ(std::filesystem::path(result.code_files->front()).filename(), "basic.so");
  EXPECT_TRUE(std::filesystem::exists(result.code_files->front()));
  EXPECT_FALSE(check(R"({"file": "missing.so"})").code_files.has_value()) << "a refused task has no identity";
}

TEST(Check, FunctionSignatureComesBeforeTheGlobalOne) {
  CheckResult result = check(R"({"file": "basic.so", "function": "length_of"})");
  EXPECT_TRUE(result.errors.empty()) << only_error(result);
  EXPECT_EQ(result.signature, R"({"inputs": {"text": "str"}, "output": "int"})");
}

TEST(Check, FunctionWithoutItsOwnSignatureGetsTheGlobalOne) {
  CheckResult result = check(R"({"file": "basic.so", "function": "fails_with_message"})");
  EXPECT_EQ(result.signature, basic_signature);
}

TEST(Check, LibraryWithoutSignatureReportsNone) {
  CheckResult result = check(R"({"file": "minimal.so"})");
  EXPECT_TRUE(result.errors.empty()) << only_error(result);
  EXPECT_FALSE(result.signature.has_value());
}

TEST(Check, SdkLibrarySignaturesAreDerivedFromCppTypes) {
  CheckResult sum = check(R"({"file": "sdk_task.so"})");
  ASSERT_TRUE(sum.signature.has_value()) << only_error(sum);
  boost::json::value json = boost::json::parse(*sum.signature);
  EXPECT_EQ(json.at("inputs"), boost::json::parse(R"({"numbers": "list[int]"})"));
  EXPECT_EQ(json.at("output"), boost::json::parse(R"({"$name": "Sum", "fields": {"total": "int", "count": "int"}})"));
  CheckResult greet = check(R"({"file": "sdk_task.so", "function": "greet"})");
  ASSERT_TRUE(greet.signature.has_value()) << only_error(greet);
  EXPECT_EQ(*greet.signature, R"({"inputs":{"name":"str"},"output":"str"})");
}

TEST(Check, MissingLibraryIsAnErrorOnFile) {
  CheckResult result = check(R"({"file": "native/missing.so"})");
  EXPECT_EQ(only_error(result), "file: task library not found: " + task_libs_dir() +
                                    "/native/missing.so (`file:` is relative to the workflow file's directory)");
}

TEST(Check, UnloadableFileShowsTheLoaderMessageOnly) {
  std::filesystem::path junk = std::filesystem::temp_directory_path() / "ork_library_test_junk.so";
  std::ofstream(junk) << "not a shared object";
  CheckResult result = check(R"({"file": ")" + junk.string() + R"("})");
  std::filesystem::remove(junk);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "file");
  EXPECT_NE(result.errors[0].second.find("cannot load task library " + junk.string() + ": " + junk.string()),
            std::string::npos)
      << result.errors[0].second;
  EXPECT_EQ(result.errors[0].second.find("Bad file descriptor"), std::string::npos) << result.errors[0].second;
}

TEST(Check, MissingFunctionListsTheTaskLikeExports) {
  CheckResult result = check(R"({"file": "basic.so", "function": "lenght_of"})");
  EXPECT_EQ(only_error(result),
            "function: " + task_libs_dir() +
                "/basic.so exports no function `lenght_of`; task-like functions it exports: bad_signature, "
                "counts_overlap, crashes, fails_with_message, length_of, ork_task_run, prefixed, prints, "
                "returns_invalid_json, sleeps (set `function:` to one of them)");
}

TEST(Check, MangledCppFunctionGetsAnExternCHint) {
  CheckResult result = check(R"({"file": "forgot_extern_c.so", "function": "sum_numbers"})");
  EXPECT_EQ(only_error(result), "function: " + task_libs_dir() +
                                    "/forgot_extern_c.so exports no function `sum_numbers`; it has a C++ function "
                                    "sum_numbers(char const*): declare it extern \"C\" so ork can find it");
}

TEST(Check, LibraryWithoutFreeIsRefused) {
  CheckResult result = check(R"({"file": "no_free.so"})");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "file");
  EXPECT_NE(result.errors[0].second.find("does not export `void ork_task_free(char*)`"), std::string::npos);
}

TEST(Check, LibraryForAnotherAbiIsRefused) {
  CheckResult result = check(R"({"file": "future_abi.so"})");
  EXPECT_EQ(only_error(result), "file: " + task_libs_dir() +
                                    "/future_abi.so was built for ork task ABI 2, this executor speaks ABI 1; "
                                    "rebuild it against this ork's ork/task.h");
}

TEST(Check, InvalidSignatureJsonIsAnErrorOnFunction) {
  CheckResult result = check(R"({"file": "basic.so", "function": "bad_signature"})");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "function");
  EXPECT_NE(result.errors[0].second.find("is not valid JSON"), std::string::npos) << result.errors[0].second;
  EXPECT_FALSE(result.signature.has_value());
}

TEST(Check, MalformedKeysNameTheKey) {
  EXPECT_EQ(only_error(check(R"({"file": 3})")), "file: `file` must be a non-empty string, not 3");
  EXPECT_EQ(only_error(check(R"({"file": "basic.so", "function": ""})")),
            "function: `function` must be a non-empty string, not \"\"");
  EXPECT_EQ(only_error(check(R"({"file": "basic.so", "isolate": "yes"})")),
            "isolate: `isolate` must be true or false, not \"yes\"");
  EXPECT_EQ(only_error(check(R"({})")), ": a library task needs `file:`, the path of its shared library (.so)");
}

TEST(Check, IsolatedTaskIsDescribedByAWorker) {
  CheckResult result = check(R"({"file": "basic.so", "function": "length_of", "isolate": true})");
  EXPECT_TRUE(result.errors.empty()) << only_error(result);
  EXPECT_EQ(result.signature, R"({"inputs": {"text": "str"}, "output": "int"})");
  CheckResult missing = check(R"({"file": "basic.so", "function": "nope", "isolate": true})");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].first, "function");
}

}  // namespace
}  // namespace ork::plugins::library::testing
