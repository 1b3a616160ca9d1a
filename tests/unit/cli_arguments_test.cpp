// The command line is parsed per command from the command table: a flag the
// command does not take is refused (naming the command and a suggestion),
// global flags go anywhere, short aliases and repeatable flags behave.
#include "cli/arguments.hpp"
#include "cli/command_table.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

namespace ork::host {
namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    parse_command_line(args);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << testing::PrintToString(args);
  return "";
}

TEST(CliArguments, FlagOfAnotherCommandIsRefusedNamingTheCommand) {
  std::string message = usage_error({"run", "wf.yaml", "--slots", "3"});
  EXPECT_NE(message.find("`ork run` takes no flag --slots"), std::string::npos) << message;
  EXPECT_NE(message.find("`ork worker` takes it"), std::string::npos) << message;
}

TEST(CliArguments, MisspeltFlagGetsTheClosestOne) {
  std::string message = usage_error({"run", "wf.yaml", "--concurency", "3"});
  EXPECT_NE(message.find("did you mean --concurrency?"), std::string::npos) << message;
  message = usage_error({"serve", "--allowed-hosts", "proxy"});
  EXPECT_NE(message.find("did you mean --allowed-host?"), std::string::npos) << message;
}

TEST(CliArguments, EveryCommandRefusesAFlagItDoesNotTake) {
  for (const CommandSpec& c : command_table()) {
    std::string message = usage_error({c.name, "--no-such-flag"});
    EXPECT_NE(message.find("`ork " + c.name + "` takes no flag --no-such-flag"), std::string::npos) << message;
  }
}

TEST(CliArguments, UnknownCommandGetsASuggestion) {
  std::string message = usage_error({"valdate", "wf.yaml"});
  EXPECT_NE(message.find("did you mean `ork validate`?"), std::string::npos) << message;
}

TEST(CliArguments, CommandFlagBeforeTheCommandIsRefused) {
  std::string message = usage_error({"--json", "runs"});
  EXPECT_NE(message.find("go after it"), std::string::npos) << message;
}

TEST(CliArguments, GlobalFlagsGoBeforeOrAfterTheCommand) {
  CommandLine before = parse_command_line({"--db", "a.db", "-v", "runs", "--limit", "3"});
  EXPECT_EQ(before.command, "runs");
  EXPECT_EQ(before.value("--db"), "a.db");
  EXPECT_TRUE(before.has("--verbose"));
  EXPECT_EQ(before.value("--limit"), "3");
  CommandLine after = parse_command_line({"runs", "--db=b.db", "--plugin-dir", "x", "--plugin-dir", "y"});
  EXPECT_EQ(after.value("--db"), "b.db");
  EXPECT_EQ(after.values("--plugin-dir"), (std::vector<std::string>{"x", "y"}));
}

TEST(CliArguments, ShortAliasIsTheSameFlag) {
  CommandLine cl = parse_command_line({"logs", "abc", "-f"});
  EXPECT_TRUE(cl.has("-f"));
  EXPECT_TRUE(cl.has("--follow"));
  EXPECT_EQ(cl.positional, (std::vector<std::string>{"abc"}));
}

TEST(CliArguments, RepeatableFlagsAccumulateOthersAreGivenOnce) {
  CommandLine cl = parse_command_line({"run", "wf.yaml", "--input", "a=1", "--input=b=2"});
  EXPECT_EQ(cl.values("--input"), (std::vector<std::string>{"a=1", "b=2"}));
  std::string message = usage_error({"run", "wf.yaml", "--concurrency", "2", "--concurrency", "3"});
  EXPECT_NE(message.find("--concurrency is given twice"), std::string::npos) << message;
}

TEST(CliArguments, MissingValueAndValueForASwitchAreRefused) {
  EXPECT_NE(usage_error({"run", "wf.yaml", "--concurrency"}).find("--concurrency needs a value"), std::string::npos);
  EXPECT_NE(usage_error({"run", "wf.yaml", "--json=yes"}).find("--json takes no value"), std::string::npos);
}

TEST(CliArguments, EveryFlagInTheTableIsAccepted) {
  for (const CommandSpec& c : command_table()) {
    for (const FlagSpec& f : c.flags) {
      std::vector<std::string> args{c.name, f.name};
      if (f.takes_value()) args.push_back(f.choices.empty() ? "1" : f.choices.front());
      CommandLine cl = parse_command_line(args);
      EXPECT_TRUE(cl.has(f.name)) << c.name << " " << f.name;
    }
  }
}

TEST(CliArguments, DoubleDashEndsTheFlags) {
  CommandLine cl = parse_command_line({"logs", "--", "-odd-run-id"});
  EXPECT_EQ(cl.positional, (std::vector<std::string>{"-odd-run-id"}));
}

}  // namespace
}  // namespace ork::host
