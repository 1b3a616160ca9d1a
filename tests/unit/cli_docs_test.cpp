// docs/cli.md agrees with the command table (host/src/cli/command_table.cpp),
// the source of `ork --help`, the man pages and the completion: every command
// has a `## `ork CMD …`` section whose heading synopsis is the table's, and
// nothing in the page names a command or flag the table lacks, or gives a
// command a flag it does not take.
#include "cli/command_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace ork::host {
namespace {

std::string read_cli_md() {
  std::ifstream in(std::string(ORK_SOURCE_DIR) + "/docs/cli.md");
  EXPECT_TRUE(in) << "cannot read docs/cli.md";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The `ork …` code spans of a line, and the command lines of ``` blocks.
std::vector<std::string> ork_mentions(const std::string& doc) {
  std::vector<std::string> out;
  std::istringstream lines(doc);
  std::string line;
  bool in_block = false;
  bool transcript = false;  // a console block: only its `$ ` lines are commands, the rest is output
  static const std::regex span("`(ork [^`]*)`");
  while (std::getline(lines, line)) {
    if (line.starts_with("```")) {
      in_block = !in_block;
      transcript = in_block && line.starts_with("```console");
      continue;
    }
    if (in_block) {
      if (transcript && !line.starts_with("$ ")) continue;
      std::string command = line.starts_with("$ ") ? line.substr(2) : line;
      if (command.starts_with("ork ")) out.push_back(command);
      continue;
    }
    for (std::sregex_iterator it(line.begin(), line.end(), span), end; it != end; ++it) out.push_back((*it)[1]);
  }
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    while (!w.empty() && (w.front() == '[')) w.erase(0, 1);
    while (!w.empty() && (w.back() == ']' || w.back() == '.' || w.back() == ',')) w.pop_back();
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

TEST(CliDocs, EveryCommandHasASectionWhoseHeadingIsItsSynopsis) {
  std::string doc = read_cli_md();
  std::set<std::string> headings;
  std::istringstream lines(doc);
  std::string line;
  static const std::regex span("`(ork [^`]*)`");
  while (std::getline(lines, line)) {
    if (!line.starts_with("## ")) continue;
    for (std::sregex_iterator it(line.begin(), line.end(), span), end; it != end; ++it) headings.insert((*it)[1]);
  }
  for (const CommandSpec& c : command_table()) {
    EXPECT_TRUE(headings.contains(c.synopsis()))
        << "docs/cli.md has no heading `## `" << c.synopsis() << "``: each command's section heading shows its "
        << "synopsis as in `ork help " << c.name << "`";
  }
  for (const std::string& h : headings) {
    const std::vector<std::string> w = words(h);
    const CommandSpec* c = w.size() > 1 ? find_command(w[1]) : nullptr;
    EXPECT_TRUE(c && c->synopsis() == h) << "heading `" << h << "` is no command's synopsis";
  }
}

TEST(CliDocs, EveryMentionedCommandAndFlagExistsAndBelongsToItsCommand) {
  std::string doc = read_cli_md();
  std::vector<std::string> mentions = ork_mentions(doc);
  ASSERT_GT(mentions.size(), 20u);
  for (const std::string& mention : mentions) {
    const std::vector<std::string> w = words(mention);
    const CommandSpec* command = nullptr;
    std::size_t i = 1;
    for (; i < w.size() && w[i].starts_with("-"); ++i) {  // global flags before the command
      const FlagSpec* f = find_flag(nullptr, w[i].substr(0, w[i].find('=')));
      ASSERT_TRUE(f) << "`" << mention << "` in docs/cli.md: " << w[i] << " is no global flag";
      if (f->takes_value() && w[i].find('=') == std::string::npos) ++i;
    }
    if (i >= w.size() || w[i] == "COMMAND") continue;
    command = find_command(w[i]);
    ASSERT_TRUE(command) << "`" << mention << "` in docs/cli.md: no command '" << w[i] << "' in the table";
    for (++i; i < w.size() && w[i] != "|" && w[i] != ">"; ++i) {
      if (!w[i].starts_with("-") || w[i] == "-") continue;
      for (std::string alternative : {w[i].substr(0, w[i].find('|')), w[i].substr(w[i].find('|') + 1)}) {
        alternative = alternative.substr(0, alternative.find('='));
        EXPECT_TRUE(find_flag(command, alternative))
            << "`" << mention << "` in docs/cli.md: `ork " << command->name << "` takes no flag " << alternative;
      }
    }
  }
}

TEST(CliDocs, EveryFlagNamedInThePageIsInTheTable) {
  std::string doc = read_cli_md();
  std::set<std::string> known;
  for (const FlagSpec& f : global_flags()) known.insert(f.name);
  for (const CommandSpec& c : command_table()) {
    for (const FlagSpec& f : c.flags) known.insert(f.name);
  }
  static const std::regex flag(R"((^|[^-\w])(--[a-z][a-z0-9-]*))");
  int seen = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), flag), end; it != end; ++it) {
    EXPECT_TRUE(known.contains((*it)[2])) << "docs/cli.md names " << (*it)[2] << ", which no command takes";
    ++seen;
  }
  EXPECT_GT(seen, 30);
}

TEST(CliDocs, EveryFlagOfTheTableIsDescribedInThePage) {
  std::string doc = read_cli_md();
  for (const FlagSpec& f : global_flags()) {
    if (f.hidden) continue;
    EXPECT_NE(doc.find("`" + f.name), std::string::npos) << "docs/cli.md does not describe " << f.name;
  }
}

}  // namespace
}  // namespace ork::host
