#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "database_url.hpp"

namespace ork::plugins::sqlite {
namespace {

std::string error_of(std::string_view url) {
  try {
    parse_database_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(DatabaseUrl, AbsolutePathAfterThreeSlashes) {
  EXPECT_EQ(parse_database_url("sqlite:///var/lib/ork/ork.db").file, "/var/lib/ork/ork.db");
}

TEST(DatabaseUrl, RelativePathAfterTwoSlashes) {
  EXPECT_EQ(parse_database_url("sqlite://state/ork.db").file, "state/ork.db");
}

TEST(DatabaseUrl, PathRightAfterTheScheme) { EXPECT_EQ(parse_database_url("sqlite:ork.db").file, "ork.db"); }

TEST(DatabaseUrl, PlainPathIsTakenAsIs) {
  EXPECT_EQ(parse_database_url(".ork/ork.db").file, ".ork/ork.db");
  EXPECT_EQ(parse_database_url("/abs/x y.db").file, "/abs/x y.db");
}

TEST(DatabaseUrl, FileSchemeIsServedToo) {
  EXPECT_EQ(parse_database_url("file:///tmp/ork.db").file, "/tmp/ork.db");
  EXPECT_EQ(parse_database_url("file:ork.db").file, "ork.db");
}

TEST(DatabaseUrl, PercentEscapesAreDecodedInUrls) {
  EXPECT_EQ(parse_database_url("sqlite:///tmp/my%20state.db").file, "/tmp/my state.db");
  EXPECT_NE(error_of("sqlite:///tmp/bad%2").find("two hex digits"), std::string::npos);
  EXPECT_NE(error_of("sqlite:///tmp/bad%zz.db").find("two hex digits"), std::string::npos);
}

TEST(DatabaseUrl, SyncDefaultsToNormalAndCanBeFull) {
  EXPECT_EQ(parse_database_url("sqlite:///a.db").synchronous, Synchronous::normal);
  EXPECT_EQ(parse_database_url("sqlite:///a.db?sync=full").synchronous, Synchronous::full);
  EXPECT_EQ(parse_database_url(".ork/ork.db?sync=full").synchronous, Synchronous::full);
  EXPECT_EQ(parse_database_url("sqlite:///a.db?sync=full&sync=normal").synchronous, Synchronous::normal);
  EXPECT_EQ(parse_database_url("sqlite:///a.db?sync=full").file, "/a.db");
}

TEST(DatabaseUrl, UnknownOptionIsRefusedNamingIt) {
  const std::string error = error_of("sqlite:///a.db?cache=shared");
  EXPECT_NE(error.find("unknown option 'cache=shared'"), std::string::npos) << error;
  EXPECT_NE(error.find("sqlite:///a.db?cache=shared"), std::string::npos) << error;
}

TEST(DatabaseUrl, OtherSchemesAreRefused) {
  const std::string error = error_of("postgresql://localhost/ork");
  EXPECT_NE(error.find("does not serve 'postgresql://'"), std::string::npos) << error;
}

TEST(DatabaseUrl, EmptyPathIsRefused) {
  EXPECT_NE(error_of("sqlite://").find("names no file"), std::string::npos);
  EXPECT_NE(error_of("").find("names no file"), std::string::npos);
}

// SQLite's ":memory:" would otherwise become a file of that name in the
// current directory; it is refused, saying why.
TEST(DatabaseUrl, InMemoryDatabaseIsRefusedSayingWhy) {
  for (const char* url : {"sqlite::memory:", ":memory:", "sqlite://:memory:", "file::memory:"}) {
    const std::string error = error_of(url);
    EXPECT_NE(error.find("an in-memory database is not supported"), std::string::npos) << url << ": " << error;
    EXPECT_NE(error.find("lost when ork exits"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace ork::plugins::sqlite
