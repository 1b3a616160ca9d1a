// Database URLs as ork shows them: a password in the user part or in a
// `password=` parameter becomes ***, everything else stays as written; and a
// plugin message that quotes the password loses it too.
#include "store/url_redaction.hpp"

#include <ork/task_environment.hpp>

#include <gtest/gtest.h>

namespace ork::host {
namespace {

TEST(RedactedUrl, HidesThePasswordOfTheUserPart) {
  EXPECT_EQ(redacted_url("postgresql://ork:secret@db.example:5432/ork"), "postgresql://ork:***@db.example:5432/ork");
  EXPECT_EQ(redacted_url("postgres://ork:s%40cr:et@10.0.0.5/ork?sslmode=require"),
            "postgres://ork:***@10.0.0.5/ork?sslmode=require");
  // An unencoded '@' inside the password: the last '@' of the authority ends it.
  EXPECT_EQ(redacted_url("postgresql://ork:p@ss@db/ork"), "postgresql://ork:***@db/ork");
}

TEST(RedactedUrl, HidesAPasswordParameter) {
  EXPECT_EQ(redacted_url("postgresql://ork@db/ork?sslmode=require&password=secret&connect_timeout=5"),
            "postgresql://ork@db/ork?sslmode=require&password=***&connect_timeout=5");
  EXPECT_EQ(redacted_url("postgresql:///ork?password=secret"), "postgresql:///ork?password=***");
  EXPECT_EQ(redacted_url("postgresql://u:a@db/ork?password=b"), "postgresql://u:***@db/ork?password=***");
}

TEST(RedactedUrl, LeavesUrlsWithoutAPasswordAlone) {
  for (const char* url : {"postgresql://ork@db.example:5432/ork", "postgresql:///ork?host=/var/run/postgresql",
                          ".ork/ork.db", "sqlite:///tmp/a:b@c.db", "/tmp/x@y:z.db", "postgresql://db/ork?user=ork"}) {
    EXPECT_EQ(redacted_url(url), url);
  }
}

TEST(WithoutUrlPassword, RemovesThePasswordWhereverTheMessageQuotesIt) {
  EXPECT_EQ(without_url_password("bad option near \"secret\"; secret again", "postgresql://ork:secret@db/ork"),
            "bad option near \"***\"; *** again");
  EXPECT_EQ(without_url_password("nothing to hide", "postgresql://ork@db/ork"), "nothing to hide");
}

TEST(HostSecrets, TheDocumentedListAndSecretLookingOrkNames) {
  for (const char* name : {"ORK_API_TOKEN", "ORK_DATABASE_URL=postgresql://a:b@c/d", "PGPASSWORD", "ORK_BACKUP_TOKEN",
                           "ORK_S3_SECRET", "ORK_SMTP_PASSWORD=x", "ORK_SIGNING_KEY"}) {
    EXPECT_TRUE(ork::plugin::is_host_secret(name)) << name;
  }
  for (const char* name : {"PATH", "HOME=/root", "ORK_RUN_ID", "ORK_TASK", "ORK_WORKER", "ORK_SERVER",
                           "ORK_LOG_LIMIT_BYTES", "MY_API_TOKEN", "ORK_API_TOKENS_DIR"}) {
    EXPECT_FALSE(ork::plugin::is_host_secret(name)) << name;
  }
}

}  // namespace
}  // namespace ork::host
