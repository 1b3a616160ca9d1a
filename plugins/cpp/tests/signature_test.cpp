// introspect through the plugin's C ABI: a good signature read from the
// source, and each refused form with its place in the source.
#include "language_harness.hpp"

#include "ork_test/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>

namespace ork::plugins::cpp::testing {
namespace {

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workflow_ = dir_.path();
    for (const char* name : {"rank.cpp", "scoring.hpp", "refused.cpp", "broken.cpp"}) {
      copy_task(name, workflow_ / "tasks");
    }
  }
  TaskFixture task(const std::string& file, const std::string& function) const {
    return TaskFixture{workflow_, "tasks/" + file, function, "{}", workflow_ / "build"};
  }
  LanguageResult introspect(const std::string& file, const std::string& function) const {
    std::filesystem::create_directories(workflow_ / "build");
    return plugin_.introspect(task(file, function));
  }
  // The one error introspect reported, which must have key `key`.
  std::string only_error(const LanguageResult& result, const std::string& key) const {
    EXPECT_FALSE(result.signature.has_value());
    EXPECT_EQ(result.errors.size(), 1u);
    if (result.errors.empty()) return {};
    EXPECT_EQ(result.errors[0].first, key) << result.errors[0].second;
    return result.errors[0].second;
  }

  ork::test_support::TempDir dir_{"ork-cpp-test"};
  std::filesystem::path workflow_;
  LanguagePlugin plugin_;
};

TEST_F(SignatureTest, DescriptorDeclaresTheLanguage) {
  const ork_language_vtable& language = *plugin_.descriptor().language;
  EXPECT_STREQ(language.name, "cpp");
  EXPECT_STREQ(language.extensions[0], ".cpp");
  EXPECT_STREQ(language.task_keys[0], "isolate");
  EXPECT_STREQ(language.executors[0], "library");
  EXPECT_EQ(language.executors[1], nullptr);
  EXPECT_EQ(plugin_.descriptor().executor, nullptr);
  boost::json::object described = boost::json::parse(plugin_.describe()).as_object();
  EXPECT_EQ(described.at("toolchain"), "g++");
  EXPECT_EQ(described.at("found"), true);
  EXPECT_EQ(std::string(described.at("version").as_string()).find_first_not_of("0123456789."), std::string::npos)
      << described.at("version");
  EXPECT_EQ(described.at("signatures").at("found"), true);
}

TEST_F(SignatureTest, ReadsTypesThroughAliasesAndDescribedStructs) {
  LanguageResult result = introspect("rank.cpp", "rank");
  ASSERT_TRUE(result.errors.empty()) << result.errors[0].second;
  ASSERT_TRUE(result.signature.has_value());
  boost::json::value expected = boost::json::parse(R"({
    "inputs": {"items": "list[{name: str, score: float, note?: str | None}]", "top": "int"},
    "output": {"$name": "Ranked", "fields": {"items": "list[{name: str, score: float, note?: str | None}]",
                                             "positions": "dict[str, int]"}}})");
  EXPECT_EQ(boost::json::parse(*result.signature), expected) << *result.signature;
}

TEST_F(SignatureTest, DefaultArgumentsAndOptionalsMayBeAbsent) {
  LanguageResult result = introspect("rank.cpp", "text::shout");
  ASSERT_TRUE(result.errors.empty()) << result.errors[0].second;
  boost::json::value expected = boost::json::parse(R"({
    "inputs": {"word": "str", "times": "int", "suffix": "str | None"},
    "output": "str", "defaults": ["times", "suffix"]})");
  EXPECT_EQ(boost::json::parse(*result.signature), expected) << *result.signature;
}

TEST_F(SignatureTest, NoParametersAndVoidReturn) {
  write_file(workflow_ / "tasks" / "plain.cpp",
             "#include <string>\nstd::string hello() { return \"hi\"; }\nvoid ignore(long x) {}\n");
  LanguageResult hello = introspect("plain.cpp", "hello");
  ASSERT_TRUE(hello.signature.has_value()) << (hello.errors.empty() ? "" : hello.errors[0].second);
  EXPECT_EQ(boost::json::parse(*hello.signature), boost::json::parse(R"({"inputs": {}, "output": "str"})"));
  LanguageResult ignore = introspect("plain.cpp", "ignore");
  ASSERT_TRUE(ignore.signature.has_value()) << (ignore.errors.empty() ? "" : ignore.errors[0].second);
  EXPECT_EQ(boost::json::parse(*ignore.signature), boost::json::parse(R"({"inputs": {"x": "int"}, "output": "null"})"));
}

TEST_F(SignatureTest, UnsupportedParameterTypeIsRefusedAtItsPlace) {
  std::string message = only_error(introspect("refused.cpp", "with_set"), "file");
  EXPECT_EQ(message.rfind("tasks/refused.cpp:7:28: function 'with_set' parameter 'values' has type 'std::set<int>', "
                          "which ork cannot type; use bool, an integer type",
                          0),
            0u)
      << message;
}

TEST_F(SignatureTest, UndescribedStructAndCharAreRefused) {
  std::string plain = only_error(introspect("refused.cpp", "undescribed"), "file");
  EXPECT_EQ(plain.rfind("tasks/refused.cpp:16:23: function 'undescribed' parameter 'plain' has type 'Plain'", 0), 0u)
      << plain;
  EXPECT_NE(plain.find("BOOST_DESCRIBE_STRUCT"), std::string::npos);
  std::string letter = only_error(introspect("refused.cpp", "letter"), "file");
  EXPECT_EQ(letter.rfind("tasks/refused.cpp:21:17: function 'letter' parameter 'c' has type 'char'", 0), 0u)
      << letter;
}

TEST_F(SignatureTest, UnsupportedReturnTypeIsRefusedAtTheFunction) {
  std::string message = only_error(introspect("refused.cpp", "returns_pointer"), "file");
  EXPECT_EQ(message.rfind("tasks/refused.cpp:9:6: function 'returns_pointer' returns 'int *', which ork cannot type",
                          0),
            0u)
      << message;
}

TEST_F(SignatureTest, UntypedAutoParameterIsRefused) {
  std::string message = only_error(introspect("refused.cpp", "untyped"), "function");
  EXPECT_EQ(message.rfind("tasks/refused.cpp:11:5: function 'untyped' is a template (a parameter declared `auto` "
                          "makes one)",
                          0),
            0u)
      << message;
}

TEST_F(SignatureTest, OverloadedFunctionIsRefused) {
  std::string message = only_error(introspect("refused.cpp", "overloaded"), "function");
  EXPECT_NE(message.find("function 'overloaded' is overloaded"), std::string::npos) << message;
}

TEST_F(SignatureTest, MissingFunctionIsReportedOnTheFunctionKey) {
  std::string message = only_error(introspect("rank.cpp", "rnak"), "function");
  EXPECT_EQ(message.rfind("no function 'rnak' in tasks/rank.cpp", 0), 0u) << message;
  // A library function of that name is not the workflow's.
  std::string sorted = only_error(introspect("rank.cpp", "strlen"), "function");
  EXPECT_EQ(sorted.rfind("no function 'strlen' in tasks/rank.cpp", 0), 0u) << sorted;
}

TEST_F(SignatureTest, SyntaxErrorShowsClangsFirstErrorWithItsLocation) {
  std::string message = only_error(introspect("broken.cpp", "broken"), "file");
  EXPECT_EQ(message.rfind("tasks/broken.cpp:5:16: error: expected expression", 0), 0u) << message;
}

TEST_F(SignatureTest, MissingFileIsReported) {
  std::string message = only_error(introspect("nowhere.cpp", "f"), "file");
  EXPECT_EQ(message.rfind("tasks/nowhere.cpp: no such file", 0), 0u) << message;
}

TEST_F(SignatureTest, IsolateMustBeABoolean) {
  TaskFixture fixture = task("rank.cpp", "rank");
  fixture.config_json = R"({"isolate": "yes"})";
  std::filesystem::create_directories(fixture.build_dir);
  LanguageResult result = plugin_.introspect(fixture);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "isolate");
  EXPECT_EQ(result.errors[0].second, "`isolate` must be true or false, not \"yes\"");
}

// Without g++ or clang on PATH, each task says which Debian package to install.
TEST_F(SignatureTest, MissingToolchainNamesTheDebianPackage) {
  std::string saved_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  ork::test_support::TempDir empty("ork-cpp-no-tools");
  ::setenv("PATH", empty.path().c_str(), 1);
  LanguagePlugin without_tools;  // a fresh state looks for its tools again
  LanguageResult result = without_tools.introspect(task("rank.cpp", "rank"));
  boost::json::object described = boost::json::parse(without_tools.describe()).as_object();
  ::setenv("PATH", saved_path.c_str(), 1);
  std::string message = only_error(result, "file");
  EXPECT_NE(message.find("apt-get install g++"), std::string::npos) << message;
  EXPECT_EQ(described.at("found"), false);
  EXPECT_EQ(described.at("install"), "apt-get install g++ clang-14");
}

}  // namespace
}  // namespace ork::plugins::cpp::testing
