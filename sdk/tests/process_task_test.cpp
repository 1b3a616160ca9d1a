// Runs the SDK-built process task (sample_task.cpp) as ork's process executor
// would: JSON on stdin, result on an ORK_OUTPUT: line, errors on stderr with
// an exit code, and --ork-signature.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Finished {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs the sample task through /bin/sh with `stdin_text` on stdin.
Finished run_sample(const std::string& stdin_text, const std::string& args = "") {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("ork_sdk_test_" + std::to_string(::getpid()) + "_" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "stdin") << stdin_text;
  std::string command = std::string("'") + ORK_SDK_SAMPLE_TASK + "' " + args + " <'" + (dir / "stdin").string() +
                        "' >'" + (dir / "stdout").string() + "' 2>'" + (dir / "stderr").string() + "'";
  int status = std::system(command.c_str());
  Finished finished;
  finished.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  finished.out = read_file(dir / "stdout");
  finished.err = read_file(dir / "stderr");
  std::filesystem::remove_all(dir);
  return finished;
}

TEST(ProcessTask, PrintsTheResultOnAnOutputLine) {
  Finished f = run_sample(
      R"({"count": 2, "label": "hi", "items": [{"name": "a", "price": 1.5}], "weights": {"w": 2}, "upstream": {}})");
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.out, "ORK_OUTPUT:{\"labels\":[\"hi\",\"hi\"],\"total\":3.5E0}\n");
}

TEST(ProcessTask, OptionalFieldMayBeAbsent) {
  Finished f = run_sample(R"({"count": 1, "items": [], "weights": {}})");
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.out, "ORK_OUTPUT:{\"labels\":[\"x\"],\"total\":0E0}\n");
}

TEST(ProcessTask, MissingFieldExitsTwoNamingIt) {
  Finished f = run_sample(R"({"label": "hi", "items": [], "weights": {}})");
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_EQ(f.err, "ork task input: field \"count\": missing (expected int)\n");
  EXPECT_EQ(f.out, "");
}

TEST(ProcessTask, WrongTypeExitsTwoNamingFieldAndType) {
  Finished f = run_sample(R"({"count": "three", "items": [], "weights": {}})");
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_EQ(f.err, "ork task input: field \"count\": expected int, got string\n");
}

TEST(ProcessTask, WrongTypeDeepInsideNamesThePath) {
  Finished f = run_sample(R"({"count": 1, "items": [{"name": "a", "price": 1}, {"name": "b", "price": "2"}],
                              "weights": {}})");
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_EQ(f.err, "ork task input: field \"items[1].price\": expected float, got string\n");
}

TEST(ProcessTask, InvalidJsonExitsTwo) {
  Finished f = run_sample("{\"count\": ");
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("ork task input: input is not valid JSON"), std::string::npos) << f.err;
}

TEST(ProcessTask, ThrowingTaskExitsOneWithItsMessage) {
  Finished f = run_sample(R"({"count": -1, "items": [], "weights": {}})");
  EXPECT_EQ(f.exit_code, 1);
  EXPECT_EQ(f.err, "ork task failed: count must not be negative, got -1\n");
  EXPECT_EQ(f.out, "");
}

TEST(ProcessTask, AnswersOrkSignature) {
  Finished f = run_sample("", "--ork-signature");
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.out,
            R"({"inputs":{"count":"int","label":"str | None","items":"list[{name: str, price: float}]",)"
            R"("weights":"dict[str, int]"},"output":{"$name":"RepeatOutput","fields":{"labels":"list[str]",)"
            R"("total":"float"}},"defaults":["label"]})"
            "\n");
}

}  // namespace
