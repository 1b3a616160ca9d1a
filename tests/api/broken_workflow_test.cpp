// A hostile workflow file in the folder of a running `ork serve` (issue 10,
// finding 1): it used to crash the server within seconds, and a restart with
// the file present died before listening. Now the real binary keeps serving
// the other workflows, shows the bad one as broken with its file:line:col
// errors through the API, and starts again with the file present.
#include "api_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

const char* const good_yaml = "tasks:\n  hello: {executor: process, command: \"echo hi\"}\n";
const char* const self_alias_yaml = "inputs: {x: &a [*a]}\ntasks:\n  t: {executor: process, command: \"true\"}\n";

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// The port `ork serve --bind 127.0.0.1:0` printed, or 0.
std::uint16_t port_of(const BackgroundOrk& serve) {
  const std::string marker = "listening on http://127.0.0.1:";
  if (!serve.wait_for_output(marker, 30000)) return 0;
  std::string out = serve.out();
  return static_cast<std::uint16_t>(std::stoi(out.substr(out.find(marker) + marker.size())));
}

// The workflow summary named `name` in GET /api/workflows, or null.
boost::json::value summary_of(std::uint16_t port, const std::string& name) {
  HttpResult list = http(port, "GET", "/api/workflows");
  if (list.status != 200) return nullptr;
  boost::json::value doc = list.json();
  for (const boost::json::value& w : doc.at("workflows").as_array()) {
    if (w.at("name") == name.c_str()) return w;
  }
  return nullptr;
}

void expect_broken(std::uint16_t port, const std::string& name, const std::string& file, int line, int col,
                   const std::string& message_start) {
  boost::json::value w = summary_of(port, name);
  ASSERT_FALSE(w.is_null()) << name << " is not listed";
  EXPECT_EQ(w.at("ok"), false);
  EXPECT_EQ(w.at("compiled"), false);
  const boost::json::array& errors = w.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u) << boost::json::serialize(w);
  EXPECT_EQ(errors[0].at("file"), file.c_str());
  EXPECT_EQ(errors[0].at("line"), line);
  EXPECT_EQ(errors[0].at("col"), col);
  EXPECT_TRUE(std::string(errors[0].at("message").as_string()).starts_with(message_start)) << errors[0];
}

void expect_serving(std::uint16_t port) {
  EXPECT_EQ(http(port, "GET", "/api/health").status, 200);
  boost::json::value good = summary_of(port, "good");
  ASSERT_FALSE(good.is_null());
  EXPECT_EQ(good.at("ok"), true);
}

TEST(BrokenWorkflow, ServeSurvivesHostileFilesAndRestartsWithThem) {
  TempDir dir;
  dir.write("workflows/good.yaml", good_yaml);
  std::string bomb = "inputs:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    bomb += "  a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + previous +
            repeat(", " + previous, 9) + "]\n";
  }
  bomb += "tasks:\n  t: {executor: process, command: \"true\"}\n";
  const std::vector<std::string> args{"serve", "--bind", "127.0.0.1:0", "--workflows", "workflows"};
  {
    BackgroundOrk serve(args, dir.path());
    std::uint16_t port = port_of(serve);
    ASSERT_NE(port, 0) << serve.out() << serve.err();
    expect_serving(port);

    // Dropped into the watched folder while the server runs.
    dir.write("workflows/loop.yaml", self_alias_yaml);
    dir.write("workflows/deep.yaml", "tasks:\n  t:\n    executor: process\n    command: \"true\"\n    output_type: \"" +
                                         repeat("list[", 20000) + "int" + repeat("]", 20000) + "\"\n");
    dir.write("workflows/bomb.yaml", bomb);
    ASSERT_TRUE(eventually([&] { return !summary_of(port, "bomb").is_null(); }, 20000)) << serve.err();
    ASSERT_TRUE(
        eventually([&] { return !summary_of(port, "deep").is_null() && !summary_of(port, "loop").is_null(); }, 20000));
    expect_broken(port, "loop", "loop.yaml", 1, 13, "this value contains itself");
    expect_broken(port, "deep", "deep.yaml", 5, 18, "task \"t\": output_type: column 325: the type nests more");
    expect_broken(port, "bomb", "bomb.yaml", 6, 7, "the values of this workflow file expand to more than");
    expect_serving(port);
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(20000), 0) << serve.err();
  }
  // A restart with the files present starts, and shows them broken at once.
  BackgroundOrk again(args, dir.path());
  std::uint16_t port = port_of(again);
  ASSERT_NE(port, 0) << again.out() << again.err();
  EXPECT_NE(again.out().find("(4 workflows from "), std::string::npos) << again.out();
  EXPECT_NE(again.out().find(", 3 with errors)"), std::string::npos) << again.out();
  expect_serving(port);
  expect_broken(port, "loop", "loop.yaml", 1, 13, "this value contains itself");
}

}  // namespace
}  // namespace ork::test
