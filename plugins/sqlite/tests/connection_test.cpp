#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "connection.hpp"
#include "test_support.hpp"

namespace ork::plugins::sqlite {
namespace {

using testing::TempDir;

std::int64_t pragma(Connection& db, const char* sql) {
  CachedStatement statement = db.statement(sql);
  EXPECT_TRUE(statement->step());
  return statement->integer(0);
}

std::string error_opening(const std::filesystem::path& file) {
  try {
    Connection db(ConnectionOptions{file});
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Connection, CreatesTheFileAndItsDirectories) {
  TempDir dir;
  const auto file = dir.path() / "a" / "b" / "ork.db";
  Connection db(ConnectionOptions{file});
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(db.file(), file);
}

TEST(Connection, ConfiguresWalNormalSyncAndForeignKeys) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  CachedStatement mode = db.statement("PRAGMA journal_mode");
  ASSERT_TRUE(mode->step());
  EXPECT_EQ(mode->text(0), "wal");
  EXPECT_EQ(pragma(db, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(pragma(db, "PRAGMA foreign_keys"), 1);
}

TEST(Connection, FullSyncOnRequest) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db", Synchronous::full});
  EXPECT_EQ(pragma(db, "PRAGMA synchronous"), 2);  // FULL
}

TEST(Connection, ReadOnlyConnectionRefusesWrites) {
  TempDir dir;
  Connection writer(ConnectionOptions{dir.path() / "ork.db"});
  writer.execute("CREATE TABLE t (x)");
  ConnectionOptions options{dir.path() / "ork.db"};
  options.read_only = true;
  Connection reader(options);
  EXPECT_THROW(reader.execute("INSERT INTO t VALUES (1)"), SqliteError);
}

TEST(Connection, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  const auto file = dir.path() / "notes.txt";
  std::ofstream(file) << std::string(4096, 'x');
  const std::string error = error_opening(file);
  EXPECT_NE(error.find(file.string()), std::string::npos) << error;
  EXPECT_NE(error.find("is not an SQLite database"), std::string::npos) << error;
  EXPECT_NE(error.find("--db"), std::string::npos) << error;
}

TEST(Connection, RefusesADirectoryItCannotCreate) {
  // Tests may run as root, which ignores permission bits, so block the
  // directory with a regular file in its place.
  TempDir dir;
  std::ofstream(dir.path() / "blocker") << "x";
  const auto file = dir.path() / "blocker" / "sub" / "ork.db";
  const std::string error = error_opening(file);
  EXPECT_NE(error.find("cannot create the directory"), std::string::npos) << error;
  EXPECT_NE(error.find((dir.path() / "blocker" / "sub").string()), std::string::npos) << error;
}

TEST(Connection, RefusesAPathThatIsADirectory) {
  TempDir dir;
  const std::string error = error_opening(dir.path());
  EXPECT_NE(error.find(dir.path().string()), std::string::npos) << error;
}

TEST(Connection, CachesPreparedStatements) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  Statement* first = &*db.statement("SELECT 1");
  Statement* second = &*db.statement("SELECT 1");
  EXPECT_EQ(first, second);
  EXPECT_NE(first, &*db.statement("SELECT 2"));
}

TEST(Connection, BindsEmptyTextAsTextAndNulloptAsNull) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  CachedStatement select = db.statement("SELECT ?1 IS NULL, ?2 IS NULL, typeof(?3)");
  select->bind_all(std::string_view(), std::optional<std::string_view>(), Blob{"\x01\x02"});
  ASSERT_TRUE(select->step());
  EXPECT_EQ(select->integer(0), 0);
  EXPECT_EQ(select->integer(1), 1);
  EXPECT_EQ(select->text(2), "blob");
}

TEST(Connection, WriteTransactionRollsBackOnException) {
  TempDir dir;
  Connection db(ConnectionOptions{dir.path() / "ork.db"});
  db.execute("CREATE TABLE t (x)");
  EXPECT_THROW(db.write_transaction([&] {
    db.execute("INSERT INTO t VALUES (1)");
    throw std::runtime_error("body failed");
  }),
               std::runtime_error);
  EXPECT_EQ(pragma(db, "SELECT count(*) FROM t"), 0);
  db.write_transaction([&] { db.execute("INSERT INTO t VALUES (2)"); });
  EXPECT_EQ(pragma(db, "SELECT count(*) FROM t"), 1);
}

TEST(Connection, WriterWaitsForAnotherConnectionsLock) {
  TempDir dir;
  Connection holder(ConnectionOptions{dir.path() / "ork.db"});
  holder.execute("CREATE TABLE t (x)");
  Connection waiter(ConnectionOptions{dir.path() / "ork.db"});
  holder.execute("BEGIN IMMEDIATE");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    holder.execute("COMMIT");
  });
  waiter.write_transaction([&] { waiter.execute("INSERT INTO t VALUES (1)"); });
  release.join();
  EXPECT_EQ(pragma(waiter, "SELECT count(*) FROM t"), 1);
}

TEST(Connection, WriterGivesUpAfterTheBusyTimeoutNamingTheFile) {
  TempDir dir;
  Connection holder(ConnectionOptions{dir.path() / "ork.db"});
  holder.execute("CREATE TABLE t (x)");
  ConnectionOptions options{dir.path() / "ork.db"};
  options.busy_timeout = std::chrono::milliseconds(100);
  Connection waiter(options);
  holder.execute("BEGIN IMMEDIATE");
  try {
    waiter.write_transaction([&] { waiter.execute("INSERT INTO t VALUES (1)"); });
    ADD_FAILURE() << "the write should have timed out";
  } catch (const SqliteError& e) {
    EXPECT_EQ(e.primary_code(), SQLITE_BUSY);
    EXPECT_NE(std::string(e.what()).find("stayed locked by another process"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find((dir.path() / "ork.db").string()), std::string::npos) << e.what();
  }
  holder.execute("COMMIT");
}

}  // namespace
}  // namespace ork::plugins::sqlite
