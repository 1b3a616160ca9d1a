// The polyglot example (examples/polyglot) end to end, as the CMake build
// stages it in <build>/examples/polyglot: the workflow validates with every
// edge typed across Python, Rust and C++; a run passes data through all
// seven tasks and each language's result is checked against its inputs; a
// mistyped edge between the Rust and Python tasks is refused at compile time
// naming both types.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Where examples/CMakeLists.txt stages the example: <build>/examples/polyglot,
// beside <build>/bin/ork.
fs::path staged_example() { return fs::path(ORK_BINARY).parent_path().parent_path() / "examples" / "polyglot"; }

// Why the staged example cannot run, if it cannot: a build without the
// examples, or without cargo for the Rust tasks.
std::optional<std::string> missing_artifacts() {
  const fs::path stage = staged_example();
  if (!fs::exists(stage / "polyglot.yaml")) {
    return "the polyglot example is not staged in " + stage.string() + " (examples/ not part of this build)";
  }
  for (const char* rust_artifact : {"lib/libpolyglot_stats.so", "bin/histogram", "bin/checksum-raw"}) {
    if (!fs::exists(stage / rust_artifact)) {
      return std::string("no ") + rust_artifact + " in " + stage.string() + ": cargo was not found when configuring";
    }
  }
  return std::nullopt;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A copy of the staged example in `dir` whose polyglot.yaml has `from`
// replaced by `to` (which must occur exactly once).
fs::path mistyped_copy(const TempDir& dir, const std::string& from, const std::string& to) {
  fs::copy(staged_example(), dir.path() / "polyglot", fs::copy_options::recursive);
  const fs::path workflow = dir.path() / "polyglot" / "polyglot.yaml";
  std::string yaml = read_file(workflow);
  const std::size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(yaml.find(from, at + 1), std::string::npos) << from << " occurs more than once";
  yaml.replace(at, from.size(), to);
  std::ofstream(workflow) << yaml;
  return workflow;
}

std::vector<std::int64_t> int_list(const json::value& value) {
  std::vector<std::int64_t> out;
  for (const json::value& item : value.as_array()) out.push_back(item.as_int64());
  return out;
}

// The checksum the raw Rust task computes: 64-bit FNV-1a over each value's
// little-endian bytes, as 16 hex digits.
std::string fnv1a_hex(const std::vector<std::int64_t>& values) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::int64_t value : values) {
    auto bits = static_cast<std::uint64_t>(value);
    for (int byte = 0; byte < 8; ++byte) {
      hash = (hash ^ ((bits >> (8 * byte)) & 0xffU)) * 0x100000001b3ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

TEST(Polyglot, ValidatesWithEveryEdgeTyped) {
  if (auto why = missing_artifacts()) GTEST_SKIP() << *why;
  TempDir dir;
  CommandResult r = run_ork({"validate", (staged_example() / "polyglot.yaml").string(), "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::object report = parse_json(r.out).as_object();
  const json::object& tasks = report.at("tasks").as_object();
  ASSERT_EQ(tasks.size(), 7u) << r.out;
  // Every task has a known signature: none is left untyped.
  for (const auto& [name, task] : tasks) {
    EXPECT_TRUE(task.at("typed").as_bool()) << name << " has no known signature: " << r.out;
  }
  // Types that come from each language itself: Python annotations, the Rust
  // and C++ libraries' signature exports.
  EXPECT_EQ(tasks.at("stats").at("inputs"), parse_json(R"({"values": "list[int]"})"));
  EXPECT_EQ(tasks.at("stats").at("output").as_string(), "{count: int, total: int, min: int, max: int, mean: float}");
  EXPECT_EQ(tasks.at("normalise").at("inputs").at("stats"), tasks.at("stats").at("output"));
  EXPECT_EQ(tasks.at("render").at("inputs").at("histogram").as_string(), "{counts: list[int], bucket_width: float}");
  EXPECT_EQ(tasks.at("render").at("output").as_string(), "{lines: list[str], peak: int}");
  EXPECT_EQ(tasks.at("report").at("inputs").at("chart"), tasks.at("render").at("output"));
}

// The Rust SDK process declares its types with --ork-signature, but the
// process executor does not ask for them, so the workflow repeats them in
// input_type/output_type: they must stay what the program reports.
TEST(Polyglot, HistogramTypesComeFromTheProgramsOwnSignature) {
  if (auto why = missing_artifacts()) GTEST_SKIP() << *why;
  TempDir dir;
  CommandResult r = run_ork({"validate", (staged_example() / "polyglot.yaml").string(), "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::value histogram = parse_json(r.out).at("tasks").at("histogram");

  const fs::path signature_file = dir.path() / "signature.json";
  const std::string command = "'" + (staged_example() / "bin" / "histogram").string() + "' --ork-signature > '" +
                              signature_file.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const json::value signature = parse_json(read_file(signature_file));
  EXPECT_EQ(histogram.at("inputs"), signature.at("inputs"));
  std::string output = "{";
  for (const auto& [field, type] : signature.at("output").at("fields").as_object()) {
    output += (output.size() > 1 ? ", " : "") + std::string(field) + ": " + std::string(type.as_string());
  }
  EXPECT_EQ(histogram.at("output").as_string(), output + "}");
  EXPECT_EQ(signature.at("defaults"), parse_json(R"(["buckets"])"));
}

TEST(Polyglot, RunPassesDataThroughPythonRustAndCpp) {
  if (auto why = missing_artifacts()) GTEST_SKIP() << *why;
  TempDir dir;
  CommandResult r = run_ork({"run", (staged_example() / "polyglot.yaml").string(), "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json::object run = parse_json(r.out).as_object();
  EXPECT_EQ(run.at("status").as_string(), "succeeded");
  const json::object& tasks = run.at("tasks").as_object();
  for (const char* name : {"generate", "stats", "normalise", "histogram", "render", "checksum", "report"}) {
    ASSERT_TRUE(tasks.contains(name)) << name;
    EXPECT_EQ(tasks.at(name).at("status").as_string(), "succeeded") << name << ": " << tasks.at(name);
  }
  auto output = [&](const char* name) -> const json::value& { return tasks.at(name).at("output"); };

  // Python: 20 samples in [0, 100) from seed 7 (the workflow's defaults).
  const std::vector<std::int64_t> values = int_list(output("generate").at("values"));
  ASSERT_EQ(values.size(), 20u);
  EXPECT_EQ(output("generate").at("seed").as_int64(), 7);

  // Rust library: the statistics of those samples.
  const json::value& stats = output("stats");
  std::int64_t total = 0;
  for (std::int64_t v : values) total += v;
  const auto [min, max] = std::minmax_element(values.begin(), values.end());
  EXPECT_EQ(stats.at("count").as_int64(), 20);
  EXPECT_EQ(stats.at("total").as_int64(), total);
  EXPECT_EQ(stats.at("min").as_int64(), *min);
  EXPECT_EQ(stats.at("max").as_int64(), *max);
  EXPECT_DOUBLE_EQ(stats.at("mean").to_number<double>(), static_cast<double>(total) / 20.0);

  // Python: each sample mapped onto [0, 1] with the Rust statistics.
  const json::array& scores = output("normalise").at("scores").as_array();
  ASSERT_EQ(scores.size(), values.size());
  std::vector<std::int64_t> expected_counts(5, 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double expected = static_cast<double>(values[i] - *min) / static_cast<double>(*max - *min);
    EXPECT_DOUBLE_EQ(scores[i].to_number<double>(), expected) << "scores[" << i << "]";
    ++expected_counts[std::min<std::size_t>(static_cast<std::size_t>(expected * 5), 4)];
  }

  // Rust process (SDK): 5 buckets of those scores.
  EXPECT_EQ(int_list(output("histogram").at("counts")), expected_counts);
  EXPECT_DOUBLE_EQ(output("histogram").at("bucket_width").to_number<double>(), 0.2);

  // C++ library: one bar per bucket, the peak bucket 20 characters wide.
  const json::array& lines = output("render").at("lines").as_array();
  ASSERT_EQ(lines.size(), 5u);
  const std::int64_t peak = *std::max_element(expected_counts.begin(), expected_counts.end());
  EXPECT_EQ(output("render").at("peak").as_int64(), peak);
  for (std::size_t bucket = 0; bucket < 5; ++bucket) {
    const std::string line(lines[bucket].as_string());
    const std::size_t bar = static_cast<std::size_t>((expected_counts[bucket] * 20 + peak / 2) / peak);
    EXPECT_EQ(line.find(" | " + std::string(bar, '#') + std::string(20 - bar, ' ') + " " +
                        std::to_string(expected_counts[bucket])),
              9u)
        << line;
  }
  EXPECT_EQ(std::string(lines[0].as_string()).substr(0, 9), "0.00-0.20");
  EXPECT_EQ(std::string(lines[4].as_string()).substr(0, 9), "0.80-1.00");

  // Rust process without the SDK: the FNV-1a checksum of the samples.
  EXPECT_EQ(output("checksum").at("checksum").as_string(), fnv1a_hex(values));
  EXPECT_EQ(output("checksum").at("count").as_int64(), 20);

  // Python: the final result gathers all of the above.
  const json::value& report = output("report");
  EXPECT_EQ(report.at("title").as_string(), "Histogram of the normalised samples");
  EXPECT_EQ(report.at("chart"), output("render").at("lines"));
  EXPECT_EQ(report.at("samples").as_int64(), 20);
  EXPECT_DOUBLE_EQ(report.at("mean").to_number<double>(), static_cast<double>(total) / 20.0);
  EXPECT_EQ(report.at("checksum"), output("checksum").at("checksum"));
  // And, pinned, the final output for the workflow's default inputs (the
  // checks above derive each step from the one before; these catch a change
  // in the generator or in the chart's layout).
  EXPECT_EQ(values.front(), 97);
  EXPECT_EQ(report.at("chart"), parse_json(R"([
      "0.00-0.20 | #################### 6",
      "0.20-0.40 | ##########           3",
      "0.40-0.60 | ##########           3",
      "0.60-0.80 | #######              2",
      "0.80-1.00 | #################### 6"])"));
  EXPECT_EQ(report.at("checksum").as_string(), "c9ab8fd75981efa2");

  // The report task printed the chart: its logs.
  const std::string run_id(run.at("run_id").as_string());
  CommandResult logs = run_ork({"logs", run_id, "report"}, dir.path());
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("Histogram of the normalised samples\n" + std::string(lines[0].as_string()) + "\n"),
            std::string::npos)
      << logs.out;
}

TEST(Polyglot, MistypedEdgeFromRustToPythonIsRefusedNamingBothTypes) {
  if (auto why = missing_artifacts()) GTEST_SKIP() << *why;
  TempDir dir;
  // normalise's `stats: Stats` fed the Rust library's `mean` (a float).
  const fs::path workflow =
      mistyped_copy(dir, "      values: {from: generate.values}\n      stats: {from: stats}\n",
                    "      values: {from: generate.values}\n      stats: {from: stats.mean}\n");
  CommandResult r = run_ork({"validate", workflow.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("task \"normalise\" input \"stats\": stats.mean is float, but parameter \"stats\" expects "
                       "Stats"),
            std::string::npos)
      << r.err;
}

TEST(Polyglot, MistypedEdgeFromPythonToRustIsRefusedNamingBothTypes) {
  if (auto why = missing_artifacts()) GTEST_SKIP() << *why;
  TempDir dir;
  // The Rust library's `values: Vec<i64>` (from its own signature export)
  // fed the Python generator's seed.
  const fs::path workflow = mistyped_copy(dir, "lib/libpolyglot_stats.so\n    inputs:\n      values: {from: generate.values}",
                                          "lib/libpolyglot_stats.so\n    inputs:\n      values: {from: generate.seed}");
  CommandResult r = run_ork({"run", workflow.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("task \"stats\" input \"values\": generate.seed is int, but parameter \"values\" "
                       "expects list[int]"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << "a refused workflow must record nothing";
}

}  // namespace
}  // namespace ork::test
