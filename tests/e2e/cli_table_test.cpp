// The command line as a user meets it: `ork CMD --help` for every command,
// flags refused per command with a suggestion, and what the build generates
// from the same command table — the man pages (rendered with groff when it is
// installed) and the bash completion script (driven through COMP_WORDS).
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

const fs::path share_dir = fs::path(ORK_BINARY).parent_path().parent_path() / "share";

std::vector<std::string> commands() {
  CommandResult r = run_ork({"--list-commands"}, fs::current_path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) out.push_back(line);
  EXPECT_GT(out.size(), 10u);
  return out;
}

// Runs `sh -c script`; returns its exit code and stdout+stderr.
CommandResult shell(const std::string& script) {
  CommandResult r;
  FILE* pipe = popen(("(" + script + ") 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) r.out.append(buffer, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool have(const std::string& program) { return shell("command -v " + program + " >/dev/null").exit_code == 0; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CliTable, EveryCommandHasHelp) {
  TempDir dir;
  CommandResult overview = run_ork({"--help"}, dir.path());
  EXPECT_EQ(overview.exit_code, 0);
  for (const std::string& c : commands()) {
    CommandResult help = run_ork({c, "--help"}, dir.path());
    EXPECT_EQ(help.exit_code, 0) << c << ": " << help.err;
    EXPECT_TRUE(help.out.starts_with("Usage: ork " + c)) << help.out;
    EXPECT_EQ(run_ork({"help", c}, dir.path()).out, help.out) << c;
    EXPECT_NE(overview.out.find("\n  " + c + " "), std::string::npos) << "ork --help does not list " << c << ":\n"
                                                                       << overview.out;
  }
  CommandResult serve = run_ork({"serve", "-h"}, dir.path());
  for (const char* flag : {"--allowed-host", "--concurrency", "--workers-only", "--token-file"}) {
    EXPECT_NE(serve.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_FALSE(fs::exists(dir.path() / ".ork" / "ork.db")) << "help opened the store";
}

TEST(CliTable, AFlagTheCommandDoesNotTakeIsRefusedWithASuggestion) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  a:\n    executor: process\n    command: [\"true\"]\n");
  CommandResult slots = run_ork({"run", "wf.yaml", "--slots", "3"}, dir.path());
  EXPECT_EQ(slots.exit_code, 2);
  EXPECT_NE(slots.err.find("`ork run` takes no flag --slots (`ork worker` takes it)"), std::string::npos) << slots.err;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork" / "ork.db")) << "a refused command line must record nothing";
  CommandResult typo = run_ork({"worker", "--slot", "3"}, dir.path());
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean --slots?"), std::string::npos) << typo.err;
  CommandResult help = run_ork({"help", "serv"}, dir.path());
  EXPECT_EQ(help.exit_code, 2);
  EXPECT_NE(help.err.find("did you mean `ork serve`?"), std::string::npos) << help.err;
}

TEST(CliTable, ManPagesAreGeneratedForEveryCommandAndRender) {
  const fs::path man1 = share_dir / "man" / "man1";
  std::vector<std::string> pages{"ork"};
  for (const std::string& c : commands()) pages.push_back("ork-" + c);
  for (const std::string& page : pages) {
    const fs::path file = man1 / (page + ".1");
    ASSERT_TRUE(fs::exists(file)) << file;
    std::string roff = read_file(file);
    EXPECT_NE(roff.find("\n.TH "), std::string::npos) << page;
    EXPECT_NE(roff.find("\n.SH NAME\n"), std::string::npos) << page;
    EXPECT_NE(roff.find("\n.SH SYNOPSIS\n"), std::string::npos) << page;
    if (!have("groff")) continue;
    // -ww: every warning; a malformed request or escape shows up here.
    CommandResult warnings = shell("groff -man -Tutf8 -ww -z '" + file.string() + "'");
    EXPECT_EQ(warnings.exit_code, 0) << page;
    EXPECT_EQ(warnings.out, "") << page;
    CommandResult text = shell("groff -man -Tascii -P-cbou '" + file.string() + "'");
    EXPECT_NE(text.out.find("NAME"), std::string::npos) << text.out;
  }
  if (have("groff")) {
    CommandResult run = shell("groff -man -Tascii -P-cbou '" + (man1 / "ork-run.1").string() + "'");
    for (const char* flag : {"--input K=V", "--concurrency N", "--idempotency-key KEY", "--workers-only", "--db URL"}) {
      EXPECT_NE(run.out.find(flag), std::string::npos) << flag << " missing from ork-run(1):\n" << run.out;
    }
  }
}

TEST(CliTable, BashCompletionCompletesCommandsFlagsValuesAndWorkflowFiles) {
  if (!have("bash")) GTEST_SKIP() << "no bash";
  const fs::path script = share_dir / "bash-completion" / "completions" / "ork";
  ASSERT_TRUE(fs::exists(script)) << script;
  CommandResult syntax = shell("bash -n '" + script.string() + "'");
  EXPECT_EQ(syntax.exit_code, 0) << syntax.out;

  TempDir dir;
  dir.write("flow.yaml", "");
  dir.write("other.yml", "");
  dir.write("notes.txt", "");
  fs::path driver = dir.write("driver.sh", R"(source "$1"
complete_words() {
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
  _ork
  printf '%s;' "${COMPREPLY[@]}" | tr ';' '\n' | sort | tr '\n' ' '; echo
}
complete_words ork ru
complete_words ork run --con
complete_words ork run --sl
complete_words ork worker --sl
complete_words ork graph flow.yaml --format ''
complete_words ork --db x.db validate ''
complete_words ork init --template p
complete_words ork logs abc -
)");
  CommandResult r = shell("cd '" + dir.path().string() + "' && bash '" + driver.string() + "' '" + script.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), 8u) << r.out;
  EXPECT_EQ(got[0], "run runs ");  // `ork ru<TAB>` completes to `run` (the common prefix), then offers both
  EXPECT_EQ(got[1], "--concurrency ");
  EXPECT_EQ(got[2], " ");  // --slots is a flag of `ork worker`, not of `ork run`
  EXPECT_EQ(got[3], "--slots ");
  EXPECT_EQ(got[4], "dot png svg ");
  EXPECT_EQ(got[5], "flow.yaml other.yml ");
  EXPECT_EQ(got[6], "polyglot process python ");
  EXPECT_EQ(got[7], "--attempt --db --follow --help --plugin-dir --verbose --version -f -h -v ");
}

}  // namespace
}  // namespace ork::test
