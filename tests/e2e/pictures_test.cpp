// Pictures outside the UI and what `ork --version` says: `ork graph --format
// dot|svg|png` (svg checked as XML by Python's xml.etree, png by its magic
// bytes), `ork tasks RUN --gantt` (one row per task, ordered by start, bars
// within the width, durations), the version and git commit.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* three_tasks = R"(name: pictures
types:
  Pair: {left: int, right: str}
tasks:
  make_pair:
    executor: process
    command: echo 'ORK_OUTPUT:{"left":1,"right":"x"}'
    output_type: Pair
  use_left:
    executor: process
    command: "cat >/dev/null; echo 'ORK_OUTPUT:2'"
    inputs: {n: {from: make_pair.left}, label: "a \"quoted\" <label>"}
    input_type: {n: int, label: str}
    output_type: int
  use_both:
    executor: process
    command: "cat >/dev/null; echo 'ORK_OUTPUT:true'"
    inputs: {pair: {from: make_pair}, count: {from: use_left}}
    input_type: {pair: Pair, count: int}
    output_type: bool
)";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Graph, DotShowsExecutorAndSignatureOfEachTask) {
  TempDir dir;
  dir.write("wf.yaml", three_tasks);
  CommandResult r = run_ork({"graph", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("digraph \"pictures\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"(label="use_left [process]\n(n: int, label: str) -> int")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("make_pair" -> "use_both")"), std::string::npos) << r.out;
}

TEST(Graph, SvgIsValidXmlWithEveryTaskAndItsSignature) {
  TempDir dir;
  dir.write("wf.yaml", three_tasks);
  CommandResult r = run_ork({"graph", "wf.yaml", "--format", "svg"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  dir.write("wf.svg", r.out);
  // Python's XML parser is the independent judge; it prints every <text>.
  dir.write("texts.py", R"(import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
for element in root.iter("{http://www.w3.org/2000/svg}text"):
    print(element.text)
)");
  const std::string command = "python3 " + (dir.path() / "texts.py").string() + " " + (dir.path() / "wf.svg").string() +
                              " > " + (dir.path() / "texts.txt").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << "not valid SVG XML:\n" << r.out;
  const std::string texts = read_file(dir.path() / "texts.txt");
  EXPECT_NE(texts.find("make_pair [process]\n"), std::string::npos) << texts;
  EXPECT_NE(texts.find("() -> Pair\n"), std::string::npos) << texts;
  EXPECT_NE(texts.find("use_left [process]\n"), std::string::npos) << texts;
  EXPECT_NE(texts.find("(n: int, label: str) -> int\n"), std::string::npos) << texts;
  EXPECT_NE(texts.find("use_both [process]\n"), std::string::npos) << texts;
  EXPECT_NE(texts.find("(pair: Pair, count: int) -> bool\n"), std::string::npos) << texts;
}

TEST(Graph, PngStartsWithThePngSignature) {
  TempDir dir;
  dir.write("wf.yaml", three_tasks);
  CommandResult r = run_ork({"graph", "wf.yaml", "--format", "png"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(r.out.size(), 8u);
  EXPECT_EQ(r.out.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(Graph, UnknownFormatAndRefusedWorkflowAreUsageErrors) {
  TempDir dir;
  dir.write("wf.yaml", three_tasks);
  CommandResult r = run_ork({"graph", "wf.yaml", "--format", "gif"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format must be dot, svg or png, got 'gif'"), std::string::npos) << r.err;
  dir.write("bad.yaml", "tasks:\n  a: {executor: nope}\n");
  CommandResult bad = run_ork({"graph", "bad.yaml", "--format", "svg"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(bad.out.empty()) << "an image was written for a refused workflow";
}

// The rows of a --gantt table: lines whose task column is followed by " |".
std::vector<std::string> gantt_rows(const std::string& out) {
  std::vector<std::string> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" |") != std::string::npos) rows.push_back(line);
  }
  return rows;
}

std::size_t columns(const std::string& utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

TEST(Gantt, OneRowPerTaskOrderedByStartWithDurationsWithinTheWidth) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: timeline
tasks:
  first: {executor: process, command: "sleep 0.3"}
  second: {executor: process, command: "sleep 0.3", depends_on: [first]}
  third: {executor: process, command: "sleep 0.2", depends_on: [second]}
  broken: {executor: process, command: "exit 4", depends_on: [first]}
  never: {executor: process, command: "true", depends_on: [broken]}
)");
  CommandResult run = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(run.exit_code, 1) << run.err;
  const std::string run_id(parse_json(run.out).at("run_id").as_string());

  CommandResult g = run_ork({"tasks", run_id, "--gantt"}, dir.path(), {"COLUMNS=100"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  std::vector<std::string> rows = gantt_rows(g.out);
  ASSERT_EQ(rows.size(), 5u) << g.out;
  std::vector<std::string> names;
  for (const auto& row : rows) {
    names.push_back(row.substr(0, row.find(' ')));
    EXPECT_LE(columns(row), 100u) << row;
  }
  // `broken` and `second` both start after `first`; `never` did not start.
  EXPECT_EQ(names.front(), "first") << g.out;
  EXPECT_EQ(names.back(), "never") << g.out;
  auto position = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  EXPECT_LT(position("second"), position("third")) << g.out;

  const std::regex duration(R"(\| +([0-9.]+ (ms|s)) +(succeeded|failed)$)");
  for (const char* task : {"first", "second", "third", "broken"}) {
    const std::string& row = rows[position(task)];
    EXPECT_TRUE(std::regex_search(row, duration)) << row;
    EXPECT_TRUE(row.find("█") != std::string::npos || row.find("░") != std::string::npos) << "no bar: " << row;
  }
  EXPECT_NE(rows[position("never")].find("| -"), std::string::npos) << rows[position("never")];
  EXPECT_EQ(rows[position("never")].find("█"), std::string::npos);
  // Bars follow time: `third` starts to the right of where `first` starts.
  const std::string& first = rows[position("first")];
  const std::string& third = rows[position("third")];
  EXPECT_LT(columns(first.substr(0, first.find("█"))), columns(third.substr(0, third.find("█")))) << g.out;
  // At 60 columns the rows shrink with the terminal.
  CommandResult narrow = run_ork({"tasks", run_id, "--gantt"}, dir.path(), {"COLUMNS=60"});
  for (const auto& row : gantt_rows(narrow.out)) EXPECT_LE(columns(row), 60u) << row;
}

TEST(Version, PrintsTheProjectVersionAndTheCommitItWasBuiltFrom) {
  TempDir dir;
  CommandResult r = run_ork({"--version"}, dir.path());
  ASSERT_EQ(r.exit_code, 0);
  std::smatch m;
  const std::regex line(R"(^ork ([0-9.]+) \(commit ([0-9a-f]{7,}|unknown), plugin API [0-9]+\.[0-9]+\)\n$)");
  ASSERT_TRUE(std::regex_match(r.out, m, line)) << r.out;
  EXPECT_EQ(m[1].str(), ORK_EXPECTED_VERSION);
  const std::string git = "git -C " + std::string(ORK_SOURCE_DIR) + " ";
  if (std::system((git + "rev-parse --git-dir >/dev/null 2>&1").c_str()) == 0) {
    ASSERT_NE(m[2].str(), "unknown") << "built from a git checkout but the commit is unknown";
    EXPECT_EQ(std::system((git + "cat-file -e " + m[2].str() + "^{commit}").c_str()), 0)
        << m[2].str() << " is not a commit of " << ORK_SOURCE_DIR;
  }
}

// host/cmake/build_info.cmake reads "unknown" outside git — e.g. a tarball
// unpacked inside some other repository must not take that repository's commit.
TEST(Version, CommitIsUnknownOutsideAGitCheckout) {
  TempDir dir;
  const fs::path script = fs::path(ORK_SOURCE_DIR) / "host" / "cmake" / "build_info.cmake";
  fs::create_directories(dir.path() / "outer" / "ork-0.1.0");
  const std::string setup = "git -C " + (dir.path() / "outer").string() +
                            " -c init.defaultBranch=main init -q && git -C " + (dir.path() / "outer").string() +
                            " -c user.name=t -c user.email=t@t commit -q --allow-empty -m x";
  ASSERT_EQ(std::system(setup.c_str()), 0);
  for (const fs::path& source : {dir.path() / "outer" / "ork-0.1.0", fs::temp_directory_path()}) {
    const fs::path out = dir.path() / "build_info.cpp";
    const std::string command = std::string(ORK_CMAKE_COMMAND) + " -DSOURCE_DIR=" + source.string() +
                                " -DOUTPUT=" + out.string() + " -P " + script.string();
    ASSERT_EQ(std::system(command.c_str()), 0);
    EXPECT_NE(read_file(out).find(R"(build_commit() { return "unknown"; })"), std::string::npos)
        << source << ":\n" << read_file(out);
    fs::remove(out);
  }
}

}  // namespace
}  // namespace ork::test
