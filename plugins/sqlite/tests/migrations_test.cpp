#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "migrations.hpp"
#include "test_support.hpp"

namespace ork::plugins::sqlite {
namespace {

using testing::TempDir;

std::int64_t single_integer(Connection& db, const std::string& sql) {
  CachedStatement statement = db.statement(sql);
  EXPECT_TRUE(statement->step()) << sql;
  return statement->integer(0);
}

int last_known_version() { return known_migrations().back().version; }

std::string error_migrating(Connection& db, std::span<const Migration> migrations = known_migrations()) {
  try {
    migrate(db, migrations);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Migrations, AreNumberedFromOneWithoutGaps) {
  int expected = 1;
  for (const Migration& migration : known_migrations()) {
    EXPECT_EQ(migration.version, expected++);
    EXPECT_FALSE(migration.name.empty());
    EXPECT_FALSE(migration.sql.empty());
  }
}

TEST(Migrations, ApplyOnANewFile) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  migrate(db);
  EXPECT_EQ(single_integer(db, "PRAGMA user_version"), last_known_version());
  EXPECT_EQ(single_integer(db, "PRAGMA application_id"), ork_application_id);
  for (const char* table :
       {"workflow_versions", "runs", "tasks", "attempts", "logs", "events", "queue", "workers", "cache_entries"}) {
    EXPECT_EQ(single_integer(db, std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                                     table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(single_integer(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'runs_by_idempotency_key'"), 1);
}

TEST(Migrations, AreIdempotentOnReopen) {
  TempDir dir;
  {
    Connection db(ConnectionOptions{dir.path() / "ork.db"});
    migrate(db);
    db.execute("INSERT INTO workflow_versions (name, content_hash, file, source, spec_json, created_at) "
               "VALUES ('w', 'h', 'f', 's', '{}', 1)");
  }
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  migrate(db);
  migrate(db);
  EXPECT_EQ(single_integer(db, "PRAGMA user_version"), last_known_version());
  EXPECT_EQ(single_integer(db, "SELECT count(*) FROM workflow_versions"), 1);
}

TEST(Migrations, RefuseADatabaseFromANewerOrk) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  migrate(db);
  db.execute("PRAGMA user_version=" + std::to_string(last_known_version() + 7));
  const std::string error = error_migrating(db);
  EXPECT_NE(error.find((dir.path() / "ork.db").string()), std::string::npos) << error;
  EXPECT_NE(error.find("schema version " + std::to_string(last_known_version() + 7)), std::string::npos) << error;
  EXPECT_NE(error.find("upgrade ork"), std::string::npos) << error;
}

TEST(Migrations, RefuseAnotherApplicationsDatabase) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  db.execute("CREATE TABLE contacts (name TEXT)");
  EXPECT_NE(error_migrating(db).find("tables that ork did not create"), std::string::npos);
  db.execute("PRAGMA application_id=1234");
  EXPECT_NE(error_migrating(db).find("another application"), std::string::npos);
}

TEST(Migrations, AppendedMigrationRunsOnReopen) {
  TempDir dir;
  const Migration first[] = {{1, "create t", "CREATE TABLE t (x INTEGER);"}};
  const Migration both[] = {first[0], {2, "add y", "ALTER TABLE t ADD COLUMN y TEXT; INSERT INTO t VALUES (1, 'a');"}};
  {
    Connection db(ConnectionOptions{dir.path() / "ork.db"});
    migrate(db, first);
    EXPECT_EQ(single_integer(db, "PRAGMA user_version"), 1);
  }
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  migrate(db, both);
  EXPECT_EQ(single_integer(db, "PRAGMA user_version"), 2);
  EXPECT_EQ(single_integer(db, "SELECT count(*) FROM t WHERE y = 'a'"), 1);
}

TEST(Migrations, AFailingMigrationLeavesTheFileUnchanged) {
  TempDir dir;
  const Migration first[] = {{1, "create t", "CREATE TABLE t (x INTEGER);"}};
  const Migration broken[] = {first[0],
                              {2, "half done", "CREATE TABLE u (x); INSERT INTO no_such_table VALUES (1);"}};
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  migrate(db, first);
  const std::string error = error_migrating(db, broken);
  EXPECT_NE(error.find("cannot apply migration 2 (half done)"), std::string::npos) << error;
  EXPECT_NE(error.find("no_such_table"), std::string::npos) << error;
  EXPECT_EQ(single_integer(db, "PRAGMA user_version"), 1);
  EXPECT_EQ(single_integer(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'u'"), 0);
}

TEST(Migrations, StoreRefusesToOpenANewerFileNamingIt) {
  TempDir dir;
  const auto file = dir.path() / "ork.db";
  {
    Connection db(ConnectionOptions{file});
    migrate(db);
    db.execute("PRAGMA user_version=999");
  }
  try {
    SqliteStore store(DatabaseUrl{file});
    ADD_FAILURE() << "a database from a newer ork must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("upgrade ork"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ork::plugins::sqlite
