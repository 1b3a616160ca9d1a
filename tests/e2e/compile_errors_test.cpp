// Refused workflows through `ork run` and `ork validate`: each bad input gets
// its exact `file:line:col: message`, exit code 2, and nothing recorded.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

struct Refusal {
  std::string name;
  std::string yaml;
  std::vector<std::string> errors;  // exact diagnostic lines, in order
};

// Runs `ork run` on `yaml` and checks the refusal: exit 2, the exact errors,
// and no state store created.
void expect_refused(const Refusal& c) {
  TempDir dir;
  dir.write("wf.yaml", c.yaml);
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << c.name << "\n" << r.err;
  std::string expected;
  for (const auto& e : c.errors) expected += e + "\n";
  expected += "ork: workflow refused (" + std::to_string(c.errors.size()) +
              (c.errors.size() == 1 ? " error" : " errors") + "); nothing was run or recorded\n";
  EXPECT_EQ(r.err, expected) << c.name;
  EXPECT_TRUE(r.out.empty()) << c.name << ": " << r.out;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << c.name << ": a refused workflow must write nothing";
}

TEST(CompileErrors, PlaceholderUntilMessagesAreFrozen) {
  expect_refused({"empty", "", {"wf.yaml: workflow is empty: add a `tasks:` mapping"}});
}

}  // namespace
}  // namespace ork::test
