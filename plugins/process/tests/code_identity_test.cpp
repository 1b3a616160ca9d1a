// A process task's code identity for `cache:` (code_identity.hpp), as its
// compile-time check reports it: a program inside the workflow directory,
// arguments naming files there, a shell line's words, and the reason when
// there is none (a program outside the directory with no such argument).
#include "code_identity.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace ork::plugins::process {
namespace {

namespace fs = std::filesystem;
using testing::argv_config;
using testing::RecordingCheckSink;
using testing::shell_config;
using testing::TempDir;

struct Reported {
  std::vector<std::string> files;  // relative to the workflow directory
  std::string why_not;
};

Reported check_code(const TempDir& dir, const std::string& config_json) {
  ProcessExecutor executor;
  RecordingCheckSink recorder;
  const std::string root = fs::canonical(dir.path()).string();
  ork::plugin::TaskSpec spec{"wf", root + "/wf.yaml", root, "step", config_json, root, {}};
  executor.check(spec, ork::plugin::CheckSink(recorder.c_sink()));
  EXPECT_TRUE(recorder.errors().empty()) << recorder.errors().front().message;
  EXPECT_TRUE(recorder.code_files().has_value()) << "a checked task always reports its code identity";
  Reported reported{{}, recorder.code_why_not()};
  for (const std::string& file : recorder.code_files().value_or(std::vector<std::string>{})) {
    reported.files.push_back(fs::path(file).lexically_relative(root).string());
  }
  return reported;
}

TEST(CodeIdentity, AProgramInsideTheWorkflowDirectoryIsTheCode) {
  TempDir dir;
  dir.write("bin/crunch", "#!/bin/sh\necho hi\n");
  fs::permissions(dir.path() / "bin/crunch", fs::perms::owner_all);
  EXPECT_EQ(check_code(dir, argv_config({"./bin/crunch", "--fast"})).files, std::vector<std::string>{"bin/crunch"});
}

TEST(CodeIdentity, ArgumentsNamingFilesInsideTheDirectoryAreTheCode) {
  TempDir dir;
  dir.write("clean.py", "print(1)\n");
  dir.write("rules.json", "{}\n");
  Reported r = check_code(dir, argv_config({"python3", "clean.py", "--rules", "rules.json", "missing.txt", "-v"}));
  EXPECT_EQ(r.files, (std::vector<std::string>{"clean.py", "rules.json"}));
  EXPECT_EQ(r.why_not, "");
}

TEST(CodeIdentity, AShellLinesWordsNamingFilesAreTheCode) {
  TempDir dir;
  dir.write("step.sh", "echo hi\n");
  EXPECT_EQ(check_code(dir, shell_config("sh step.sh | tr a-z A-Z")).files, std::vector<std::string>{"step.sh"});
  Reported none = check_code(dir, shell_config("echo hi"));
  EXPECT_TRUE(none.files.empty());
  EXPECT_NE(none.why_not.find("a shell line that names no file inside the workflow directory"), std::string::npos)
      << none.why_not;
}

TEST(CodeIdentity, AProgramOutsideWithNoFileArgumentHasNoIdentityAndSaysWhy) {
  TempDir dir;
  Reported r = check_code(dir, argv_config({"/bin/echo", "hi"}));
  EXPECT_TRUE(r.files.empty());
  EXPECT_EQ(r.why_not, "its code lives outside the workflow directory: /bin/echo, and no argument names a file inside " +
                           fs::canonical(dir.path()).string());
}

TEST(CodeIdentity, AFileOutsideTheDirectoryIsNotPartOfIt) {
  TempDir dir;
  TempDir elsewhere;
  elsewhere.write("tool.py", "print(1)\n");
  Reported r = check_code(dir, argv_config({"python3", (elsewhere.path() / "tool.py").string()}));
  EXPECT_TRUE(r.files.empty());
  EXPECT_NE(r.why_not.find("outside the workflow directory"), std::string::npos);
}

}  // namespace
}  // namespace ork::plugins::process
