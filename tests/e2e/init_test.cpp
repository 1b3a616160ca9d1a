// `ork init` end to end: each template, written into an empty directory, runs
// with `ork run` and no other step; a second `ork init` refuses and lists the
// files in its way (exit 2) without touching them; --force overwrites.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TemplateCase {
  std::string name;
  std::vector<std::string> files;     // besides workflow.yaml, README.md, .gitignore
  std::string last_task;              // the task whose output is checked
  std::string expected_output;        // its output, as JSON
};

// gtest prints the parameter's name, not its bytes.
void PrintTo(const TemplateCase& c, std::ostream* os) { *os << c.name; }

class InitTemplate : public ::testing::TestWithParam<TemplateCase> {};

TEST_P(InitTemplate, InitThenRunSucceedsInAnEmptyDirectory) {
  const TemplateCase& c = GetParam();
  TempDir tmp;
  const fs::path dir = tmp.path() / "my-project";
  fs::create_directories(dir);
  CommandResult init = run_ork({"init", "--template", c.name}, dir);
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  for (const auto& f : c.files) EXPECT_TRUE(fs::is_regular_file(dir / f)) << f << "\n" << init.out;
  EXPECT_NE(read_file(dir / ".gitignore").find(".ork/"), std::string::npos);
  const std::string readme = read_file(dir / "README.md");
  EXPECT_NE(readme.find("ork validate workflow.yaml"), std::string::npos) << readme;
  EXPECT_NE(readme.find("ork run workflow.yaml"), std::string::npos) << readme;
  EXPECT_NE(readme.find("ork serve"), std::string::npos) << readme;
  EXPECT_EQ(readme.find("{{project}}"), std::string::npos) << "placeholder left in README.md";
  // The workflow is named after the directory.
  EXPECT_NE(read_file(dir / "workflow.yaml").find("name: my-project"), std::string::npos);

  CommandResult run = run_ork({"run", "workflow.yaml", "--json"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  boost::json::value result = parse_json(run.out);
  EXPECT_EQ(result.at("status").as_string(), "succeeded") << run.out;
  EXPECT_EQ(result.at("workflow").as_string(), "my-project");
  EXPECT_EQ(result.at("tasks").at(c.last_task).at("output"), parse_json(c.expected_output)) << run.out;
}

INSTANTIATE_TEST_SUITE_P(
    Templates, InitTemplate,
    ::testing::Values(
        TemplateCase{"python", {"workflow.yaml", "tasks.py", "README.md", ".gitignore"}, "report",
                     R"("5 numbers, total 55, mean 11.00")"},
        TemplateCase{"polyglot", {"workflow.yaml", "tasks.py", "count.sh", "README.md", ".gitignore"}, "report",
                     R"("11 words, 9 distinct")"},
        TemplateCase{"process",
                     {"workflow.yaml", "generate.sh", "stats.py", "report.sh", "README.md", ".gitignore"},
                     "report", R"({"line": "5 numbers reported"})"}),
    [](const ::testing::TestParamInfo<TemplateCase>& info) { return info.param.name; });

TEST(Init, DefaultTemplateIsPlainTypedPythonFunctions) {
  TempDir tmp;
  CommandResult init = run_ork({"init", "proj"}, tmp.path());
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string workflow = read_file(tmp.path() / "proj" / "workflow.yaml");
  EXPECT_NE(workflow.find("executor: python"), std::string::npos) << workflow;
  EXPECT_EQ(workflow.find("executor: process"), std::string::npos) << workflow;
  const std::string tasks = read_file(tmp.path() / "proj" / "tasks.py");
  EXPECT_NE(tasks.find("def numbers(count: int) -> list[int]:"), std::string::npos) << tasks;
  EXPECT_EQ(tasks.find("import ork"), std::string::npos);
}

TEST(Init, RefusesToOverwriteAndListsTheFilesUnlessForced) {
  TempDir tmp;
  ASSERT_EQ(run_ork({"init"}, tmp.path()).exit_code, 0);
  const fs::path tasks_py = tmp.path() / "tasks.py";
  std::ofstream(tasks_py, std::ios::binary | std::ios::trunc) << "# my own edits\n";

  CommandResult again = run_ork({"init"}, tmp.path());
  EXPECT_EQ(again.exit_code, 2) << again.out << again.err;
  for (const char* f : {"workflow.yaml", "tasks.py", "README.md", ".gitignore"}) {
    EXPECT_NE(again.err.find(std::string("  ") + f + "\n"), std::string::npos) << f << " not listed:\n" << again.err;
  }
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(read_file(tasks_py), "# my own edits\n") << "a refused init changed a file";

  CommandResult forced = run_ork({"init", "--force"}, tmp.path());
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(read_file(tasks_py).find("def summarise("), std::string::npos);
  EXPECT_EQ(run_ork({"run", "workflow.yaml"}, tmp.path()).exit_code, 0);
}

TEST(Init, OneExistingFileIsEnoughToRefuse) {
  TempDir tmp;
  tmp.write("README.md", "mine\n");
  CommandResult r = run_ork({"init", "--template", "process"}, tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("  README.md\n"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path() / "workflow.yaml")) << "a refused init wrote files";
}

TEST(Init, UnknownTemplateListsTheKnownOnes) {
  TempDir tmp;
  CommandResult r = run_ork({"init", "--template", "cobol"}, tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown --template 'cobol'; choose one of: polyglot, process, python"), std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::is_empty(tmp.path()) || !fs::exists(tmp.path() / "workflow.yaml"));
}

}  // namespace
}  // namespace ork::test
