// The python executor's code identity for `cache:` (ork_check_sink.code_files):
// the task's file and every module it imports from inside the workflow
// directory — through other modules, inside functions, in packages — and
// nothing from outside it; and the introspection cache noticing a helper
// module that now imports another one.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "plugin_harness.hpp"

namespace ork::plugins::python::test {
namespace {

namespace fs = std::filesystem;

class CodeFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ork-python-code-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "lib");
    dir_ = fs::canonical(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }

  std::vector<std::string> code_files_of(const std::string& file, const std::string& function) const {
    CheckOutcome outcome = check(dir_, boost::json::object{{"file", file}, {"function", function}});
    EXPECT_EQ(outcome.status, ORK_STATUS_OK) << outcome.executor_error;
    EXPECT_TRUE(outcome.errors.empty()) << (outcome.errors.empty() ? "" : outcome.errors.front().second);
    EXPECT_TRUE(outcome.code_files.has_value()) << "the executor must report the task's code files";
    std::vector<std::string> files;
    for (const std::string& path : outcome.code_files.value_or(std::vector<std::string>{})) {
      files.push_back(fs::path(path).lexically_relative(dir_).string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  fs::path dir_;
};

TEST_F(CodeFiles, TheTaskFileAndEveryModuleItImportsFromTheWorkflowDirectory) {
  write("helper.py", "import json\nfrom lib import deep\n\ndef factor() -> int:\n    return deep.X\n");
  write("lib/__init__.py", "");
  write("lib/deep.py", "X = 2\n");
  write("late.py", "Y = 1\n");
  write("unused.py", "Z = 1\n");
  write("t.py",
        "import os\nimport helper\n\n\ndef main(n: int) -> int:\n    import late\n    return n * helper.factor() + "
        "late.Y\n");
  EXPECT_EQ(code_files_of("t.py", "main"),
            (std::vector<std::string>{"helper.py", "late.py", "lib/__init__.py", "lib/deep.py", "t.py"}));
}

TEST_F(CodeFiles, AFileThatImportsNothingIsItsOwnCode) {
  write("alone.py", "def main() -> int:\n    return 1\n");
  EXPECT_EQ(code_files_of("alone.py", "main"), std::vector<std::string>{"alone.py"});
}

TEST_F(CodeFiles, AHelperThatNowImportsAnotherModuleIsNoticed) {
  write("helper.py", "A = 1\n");
  write("other.py", "B = 1\n");
  write("t.py", "import helper\n\n\ndef main() -> int:\n    return helper.A\n");
  EXPECT_EQ(code_files_of("t.py", "main"), (std::vector<std::string>{"helper.py", "t.py"}));
  // A different size, so the stamp changes even within the same clock tick.
  write("helper.py", "import other\nA = other.B + 1\n");
  EXPECT_EQ(code_files_of("t.py", "main"), (std::vector<std::string>{"helper.py", "other.py", "t.py"}));
}

}  // namespace
}  // namespace ork::plugins::python::test
