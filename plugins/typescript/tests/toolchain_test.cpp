// Without Node.js: describe says what to install, and every compile is
// refused with an error naming the Debian package. Runs only under the ctest
// entry that points ORK_NODE at a missing file (see CMakeLists.txt).
#include <gtest/gtest.h>

#include <cstdlib>

#include "plugin_harness.hpp"

namespace ork::plugins::typescript::test {
namespace {

TEST(TypeScriptToolchain, MissingNodeNamesTheDebianPackage) {
  const char* node = std::getenv("ORK_NODE");
  if (node == nullptr || std::filesystem::exists(node)) GTEST_SKIP() << "needs ORK_NODE naming a missing file";
  auto described = boost::json::parse(describe()).as_object();
  EXPECT_FALSE(described.at("found").as_bool());
  EXPECT_EQ(described.at("install"), "apt-get install nodejs");
  EXPECT_FALSE(described.contains("version"));

  TempDir dir("ork-ts-tool");
  dir.write("t.ts", "export function f(): number { return 1; }\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "f");
  ASSERT_EQ(outcome.errors.size(), 1u) << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].first, "file");
  EXPECT_NE(outcome.errors[0].second.find("install the Debian package nodejs (apt-get install nodejs)"),
            std::string::npos)
      << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].second.rfind("t.ts: the typescript language needs Node.js", 0), 0u);
}

}  // namespace
}  // namespace ork::plugins::typescript::test
