// The signature cache (host/src/loader/signature_cache.hpp): compiling an
// unchanged workflow again asks no language plugin (for Python: starts no
// worker), and every change that could change a signature asks again. Each
// task module here appends a line to imports.txt when it is imported, which
// counts the introspections.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCountingPrelude =
    "with open('imports.txt', 'a') as _log:\n"
    "    _log.write(__name__ + '\\n')\n";

int imports(const TempDir& dir) {
  std::ifstream in(dir.path() / "imports.txt");
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

std::vector<fs::path> entries(const fs::path& build_root) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(build_root / "signatures", ec)) found.push_back(entry.path());
  return found;
}

// `ork validate --json` of wf.yaml: the output type of task `t`.
std::string output_type(const TempDir& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"validate", "wf.yaml", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = run_ork(args, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  boost::json::value answer = parse_json(r.out);
  return std::string(answer.at("tasks").at("t").at("output").as_string());
}

void write_workflow(TempDir& dir, const std::string& function) {
  dir.write("wf.yaml", "tasks:\n  t: {executor: python, file: t.py, function: " + function + "}\n");
}

TEST(SignatureCache, AnUnchangedWorkflowIsNotIntrospectedAgain) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n");
  write_workflow(dir, "f");
  EXPECT_EQ(output_type(dir), "int");
  EXPECT_EQ(imports(dir), 1);
  EXPECT_EQ(entries(dir.path() / ".ork" / "build").size(), 1u);
  EXPECT_EQ(output_type(dir), "int");
  EXPECT_EQ(imports(dir), 1) << "the second validate imported the task module again";
  // A run uses the kept signature too: the only import is the run's own.
  CommandResult run = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(imports(dir), 2);
}

TEST(SignatureCache, EditingTheTaskFileAsksAgain) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n");
  write_workflow(dir, "f");
  EXPECT_EQ(output_type(dir), "int");
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> str:\n    return 'x'\n");
  EXPECT_EQ(output_type(dir), "str");
  EXPECT_EQ(imports(dir), 2);
}

TEST(SignatureCache, EditingAnImportedModuleOfTheWorkflowAsksAgain) {
  TempDir dir;
  dir.write("helper.py", "from typing import TypedDict\n\nclass Row(TypedDict):\n    id: int\n");
  dir.write("t.py", std::string(kCountingPrelude) + "from helper import Row\n\ndef f() -> Row:\n    return {'id': 1}\n");
  write_workflow(dir, "f");
  EXPECT_EQ(output_type(dir), "{id: int}");
  EXPECT_EQ(output_type(dir), "{id: int}");
  EXPECT_EQ(imports(dir), 1);
  dir.write("helper.py", "from typing import TypedDict\n\nclass Row(TypedDict):\n    id: str\n");
  EXPECT_EQ(output_type(dir), "{id: str}");
  EXPECT_EQ(imports(dir), 2);
}

// A task's env: values are part of the key, and may be secrets: the entry
// on disk holds the key's hash, never the key.
TEST(SignatureCache, AKeptEntryHoldsNoneOfTheTasksEnvValues) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n");
  dir.write("wf.yaml", "tasks:\n  t: {executor: python, file: t.py, function: f, env: {API_TOKEN: s3cr3t-value-123}}\n");
  EXPECT_EQ(output_type(dir), "int");
  EXPECT_EQ(output_type(dir), "int");
  EXPECT_EQ(imports(dir), 1) << "the second compile used the kept entry";
  std::vector<fs::path> kept = entries(dir.path() / ".ork" / "build");
  ASSERT_EQ(kept.size(), 1u);
  std::ifstream in(kept[0]);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("s3cr3t-value-123"), std::string::npos) << text;
  EXPECT_EQ(text.find("API_TOKEN"), std::string::npos) << text;
}

TEST(SignatureCache, AnotherFunctionOrOtherTaskKeysMiss) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n\ndef g() -> str:\n    return ''\n");
  write_workflow(dir, "f");
  EXPECT_EQ(output_type(dir), "int");
  write_workflow(dir, "g");
  EXPECT_EQ(output_type(dir), "str");
  EXPECT_EQ(imports(dir), 2);
  // The same function with another task key (here its environment) is another entry.
  dir.write("wf.yaml", "tasks:\n  t: {executor: python, file: t.py, function: g, env: {MODE: fast}}\n");
  EXPECT_EQ(output_type(dir), "str");
  EXPECT_EQ(imports(dir), 3);
  EXPECT_EQ(entries(dir.path() / ".ork" / "build").size(), 3u);
}

TEST(SignatureCache, ACorruptEntryIsIgnoredAndReplaced) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n");
  write_workflow(dir, "f");
  EXPECT_EQ(output_type(dir), "int");
  std::vector<fs::path> kept = entries(dir.path() / ".ork" / "build");
  ASSERT_EQ(kept.size(), 1u);
  for (const std::string& garbage : {std::string("{\"key\": 1, \"sig"), std::string("[]"), std::string("")}) {
    std::ofstream(kept[0], std::ios::trunc) << garbage;
    EXPECT_EQ(output_type(dir), "int") << garbage;
  }
  EXPECT_EQ(imports(dir), 4);
  EXPECT_EQ(output_type(dir), "int");
  EXPECT_EQ(imports(dir), 4) << "the entry was not written again after it was found corrupt";
}

TEST(SignatureCache, AnUnwritableBuildRootStillCompiles) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n");
  write_workflow(dir, "f");
  // The build root of --db store/ork.db is store/build; a file there makes
  // it unusable even for root, which ignores directory permissions.
  dir.write("store/build", "not a directory");
  EXPECT_EQ(output_type(dir, {"--db", (dir.path() / "store" / "ork.db").string()}), "int");
  EXPECT_EQ(output_type(dir, {"--db", (dir.path() / "store" / "ork.db").string()}), "int");
  EXPECT_EQ(imports(dir), 2);
  CommandResult run = run_ork({"run", "wf.yaml", "--db", (dir.path() / "store" / "ork.db").string()}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST(SignatureCache, ARefusedWorkflowKeepsNothing) {
  TempDir dir;
  dir.write("t.py", std::string(kCountingPrelude) + "def f() -> int:\n    return 1\n\ndef g(f: str) -> str:\n    return f\n");
  dir.write("wf.yaml", "tasks:\n  f: {executor: python, file: t.py, function: f}\n"
                       "  g: {executor: python, file: t.py, function: g, depends_on: [f]}\n");
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << "a refused workflow must write nothing";
}

}  // namespace
}  // namespace ork::test
