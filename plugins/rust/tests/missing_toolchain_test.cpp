// Run with ORK_CARGO pointing nowhere (see CMakeLists.txt): the plugin says
// which Debian packages to install, at introspect and prepare alike.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "language_harness.hpp"

namespace ork::plugins::rust::testing {
namespace {

TEST(MissingToolchain, IntrospectAndPrepareNameTheDebianPackages) {
  for (const Answer& answer : {RustPlugin::get().introspect(fixture("score.rs", "score")),
                               RustPlugin::get().prepare(fixture("score.rs", "score"))}) {
    ASSERT_EQ(answer.errors.size(), 1u);
    EXPECT_EQ(answer.errors[0].first, "file");
    EXPECT_THAT(answer.errors[0].second, ::testing::HasSubstr("install Debian's packages with `apt-get install cargo rustc`"));
    EXPECT_FALSE(answer.signature.has_value());
    EXPECT_FALSE(answer.prepared.has_value());
  }
}

TEST(MissingToolchain, DescribeSaysWhatToInstall) {
  boost::json::object described = boost::json::parse(RustPlugin::get().describe()).as_object();
  EXPECT_EQ(described.at("found"), false);
  EXPECT_EQ(described.at("install"), "apt-get install cargo rustc");
}

}  // namespace
}  // namespace ork::plugins::rust::testing
