// Hostile workflow files through the real `ork validate` (issue 10, findings 1
// and 3): an alias that contains itself, a type nested 20 000 deep and an
// alias bomb each end in exit 2 with a file:line:col message. Before the
// limits of ork/limits.h the first two crashed with SIGSEGV (exit 139) and
// the bomb grew to 2 GB before std::bad_alloc.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ork::test {
namespace {

CommandResult validate(const std::string& yaml) {
  TempDir dir;
  dir.write("wf.yaml", yaml);
  return run_ork({"validate", "wf.yaml"}, dir.path());
}

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST(HostileWorkflow, ValidateRefusesAnAliasThatContainsItself) {
  CommandResult r = validate("inputs: {x: &a [*a]}\ntasks:\n  t: {executor: process, command: \"true\"}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("wf.yaml:1:13: this value contains itself"), std::string::npos) << r.err;
}

TEST(HostileWorkflow, ValidateRefusesATypeNested20000Deep) {
  CommandResult r = validate("tasks:\n  t:\n    executor: process\n    command: \"true\"\n    output_type: \"" +
                             repeat("list[", 20000) + "int" + repeat("]", 20000) + "\"\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("wf.yaml:5:18: task \"t\": output_type: column 325: the type nests more than 64 levels deep"),
            std::string::npos)
      << r.err;
}

TEST(HostileWorkflow, ValidateRefusesAnAliasBomb) {
  // 9 levels of aliases, each repeating the previous one 10 times.
  std::string bomb = "inputs:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    bomb += "  a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + previous +
            repeat(", " + previous, 9) + "]\n";
  }
  CommandResult r = validate(bomb + "tasks:\n  t: {executor: process, command: \"true\"}\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("wf.yaml:6:7: the values of this workflow file expand to more than 100000 YAML nodes"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace ork::test
