// RAII access to one SQLite connection, used by every part of the sqlite
// storage plugin (store, queries, migrations) and by its tests. A Connection
// opens and configures the database file (WAL, synchronous, foreign keys, a
// busy handler), keeps one prepared statement per SQL text, and runs bodies
// inside transactions that are retried while another process holds the write
// lock. A Connection is not thread-safe: its owner serialises access.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace ork::plugins::sqlite {

// An SQLite call failed. `code()` is the extended result code, so callers can
// tell a lost race (SQLITE_BUSY) or a constraint violation from a real failure.
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }
  int primary_code() const noexcept { return code_ & 0xff; }

 private:
  int code_;
};

// Binds SQL NULL.
struct Null {};
// Binds bytes as a BLOB instead of TEXT.
struct Blob {
  std::string_view bytes;
};

// One prepared statement. Bound text and blobs are not copied (SQLITE_STATIC):
// they must outlive the statement's use, which a CachedStatement scope ensures.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds every argument in order, starting at parameter 1.
  template <typename... Args>
  void bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
  }
  void bind(int index, std::int64_t value);
  void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(int index, std::uint32_t value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, Blob blob);
  void bind(int index, Null);
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index, Null{});
    }
  }

  // Advances to the next row; false once the statement is done.
  bool step();
  // Runs a statement that returns no rows (or whose rows are not wanted).
  void run();

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::string_view text(int column) const;
  std::optional<std::string_view> optional_text(int column) const;

  // Makes the statement reusable and drops the borrowed bindings.
  void reset() noexcept;

 private:
  [[noreturn]] void fail(int code, std::string_view what) const;

  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// A statement borrowed from a Connection's cache for one scope; resets it on
// the way out so the next user finds it clean.
class CachedStatement {
 public:
  explicit CachedStatement(Statement& statement) : statement_(statement) {}
  ~CachedStatement() { statement_.reset(); }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  Statement* operator->() const { return &statement_; }
  Statement& operator*() const { return statement_; }

 private:
  Statement& statement_;
};

enum class Synchronous { normal, full };

struct ConnectionOptions {
  std::filesystem::path file;
  Synchronous synchronous = Synchronous::normal;
  std::chrono::milliseconds busy_timeout{10'000};
  bool read_only = false;  // sets PRAGMA query_only: a guard for the read connection
};

class Connection {
 public:
  // Opens (creating if needed) and configures the database file. Throws a
  // message naming the file and what to do when it cannot be used.
  explicit Connection(const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `body()` inside BEGIN IMMEDIATE … COMMIT and returns its result. The
  // write lock is taken up front, so two processes never deadlock upgrading a
  // read lock; while another process holds it the whole transaction is
  // retried until the busy timeout runs out. Any exception rolls back.
  template <typename Body>
  auto write_transaction(Body&& body) {
    return with_retry([&] { return in_transaction("BEGIN IMMEDIATE", body); });
  }

  // Runs `body()` inside a read transaction, so several SELECTs see one
  // consistent snapshot.
  template <typename Body>
  auto read_transaction(Body&& body) {
    return with_retry([&] { return in_transaction("BEGIN", body); });
  }

  // The cached prepared statement for `sql`, prepared on first use.
  CachedStatement statement(std::string_view sql);

  // Runs one or more SQL statements without caching (setup, migrations).
  void execute(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const noexcept { return sqlite3_changes64(db_.get()); }

  const std::filesystem::path& file() const noexcept { return file_; }
  sqlite3* handle() const noexcept { return db_.get(); }

 private:
  void configure(const ConnectionOptions& options);
  static int on_busy(void* self, int attempts_so_far) noexcept;

  template <typename Body>
  auto in_transaction(const char* begin_sql, Body& body) {
    statement(begin_sql)->run();
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        statement("COMMIT")->run();
      } else {
        auto result = body();
        statement("COMMIT")->run();
        return result;
      }
    } catch (...) {
      rollback();
      throw;
    }
  }

  template <typename Attempt>
  auto with_retry(Attempt&& attempt) {
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout_;
    for (;;) {
      try {
        return attempt();
      } catch (const SqliteError& e) {
        if (e.primary_code() != SQLITE_BUSY) throw;
        if (std::chrono::steady_clock::now() >= deadline) throw_locked(e);
        // The busy handler already waited; this covers the cases where SQLite
        // reports BUSY without calling it (e.g. during WAL recovery).
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }

  void rollback() noexcept;
  [[noreturn]] void throw_locked(const SqliteError& cause) const;

  struct Closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  std::filesystem::path file_;
  std::chrono::milliseconds busy_timeout_;
  std::chrono::steady_clock::time_point busy_since_{};
  // Declared before the cache so statements are finalized before the close.
  std::unique_ptr<sqlite3, Closer> db_;
  // Looked up by the caller's string_view without building a std::string:
  // every write looks up several statements.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> statements_;
};

}  // namespace ork::plugins::sqlite
