#include "connection.hpp"

#include <algorithm>
#include <system_error>

namespace ork::plugins::sqlite {

namespace {

std::string quoted(const std::filesystem::path& file) { return "'" + file.string() + "'"; }

// Creates the folders above the database file; SQLite only creates the file.
void create_parent_directories(const std::filesystem::path& file) {
  const std::filesystem::path parent = file.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw std::runtime_error("cannot create the directory '" + parent.string() + "' for the ork database " +
                             quoted(file) + ": " + ec.message() +
                             "; make it writable or choose another location with --db");
  }
}

}  // namespace

// ---- Connection -------------------------------------------------------------

Connection::Connection(const ConnectionOptions& options)
    : file_(std::filesystem::absolute(options.file)), busy_timeout_(options.busy_timeout) {
  create_parent_directories(file_);
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file_.c_str(), &raw, flags, nullptr);
  db_.reset(raw);  // SQLite allocates a handle even when the open fails
  if (rc != SQLITE_OK) {
    const std::string reason = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw std::runtime_error("cannot open the ork database " + quoted(file_) + ": " + reason +
                             "; check that the file and its directory are writable, or choose another "
                             "location with --db");
  }
  sqlite3_extended_result_codes(raw, 1);
  try {
    configure(options);
  } catch (const SqliteError& e) {
    if (e.primary_code() == SQLITE_NOTADB) {
      throw std::runtime_error(quoted(file_) +
                               " is not an SQLite database, so ork cannot keep its state there; move the "
                               "file away or choose another location with --db");
    }
    throw;
  }
}

// Per-connection settings; none of them is repeated per call.
void Connection::configure(const ConnectionOptions& options) {
  // SQLite's own busy_timeout sleeps in steps of up to 100 ms, which stalls a
  // writer for far longer than the ~20 µs transactions it waits behind; this
  // handler polls at a finer grain with the same overall limit.
  sqlite3_busy_handler(db_.get(), &Connection::on_busy, this);
  with_retry([&] {
    CachedStatement pragma = statement("PRAGMA journal_mode=WAL");
    const std::string mode = pragma->step() ? std::string(pragma->text(0)) : std::string("unknown");
    if (mode != "wal") {
      throw std::runtime_error("cannot switch the ork database " + quoted(file_) + " to WAL mode (it stays in '" +
                               mode + "' mode); keep it on a local file system");
    }
  });
  execute(options.synchronous == Synchronous::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  execute("PRAGMA foreign_keys=ON");
  if (options.read_only) execute("PRAGMA query_only=ON");
}

int Connection::on_busy(void* self, int attempts_so_far) noexcept {
  auto& connection = *static_cast<Connection*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (attempts_so_far == 0) connection.busy_since_ = now;
  if (now - connection.busy_since_ >= connection.busy_timeout_) return 0;
  // 50 µs, doubling up to 5 ms: short waits for short transactions, without
  // spinning when the lock is held for long.
  const std::chrono::microseconds pause(50 << std::min(attempts_so_far, 7));
  std::this_thread::sleep_for(std::min<std::chrono::microseconds>(pause, std::chrono::milliseconds(5)));
  return 1;
}

CachedStatement Connection::statement(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found = statements_.emplace(std::string(sql), std::make_unique<Statement>(db_.get(), sql)).first;
  }
  return CachedStatement(*found->second);
}

void Connection::execute(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string reason = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(sqlite3_extended_errcode(db_.get()),
                      "ork database " + quoted(file_) + ": " + reason + " (in: " + text.substr(0, 80) + ")");
  }
}

void Connection::rollback() noexcept {
  // After some errors SQLite has already rolled back; only end a live one.
  if (sqlite3_get_autocommit(db_.get()) == 0) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Connection::throw_locked(const SqliteError& cause) const {
  throw SqliteError(cause.code(), "the ork database " + quoted(file_) + " stayed locked by another process for " +
                                      std::to_string(busy_timeout_.count()) +
                                      " ms; check for a stuck ork process (" + cause.what() + ")");
}

// ---- Statement --------------------------------------------------------------

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                                    nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) {
    throw SqliteError(sqlite3_extended_errcode(db), std::string("ork database '") + sqlite3_db_filename(db, "main") +
                                                        "': cannot prepare SQL: " + sqlite3_errmsg(db) +
                                                        " (in: " + std::string(sql.substr(0, 80)) + ")");
  }
}

void Statement::bind(int index, std::int64_t value) {
  if (const int rc = sqlite3_bind_int64(stmt_.get(), index, value); rc != SQLITE_OK) fail(rc, "bind");
}

void Statement::bind(int index, std::string_view text) {
  // A null pointer would bind NULL; an empty string must stay an empty string.
  const char* data = text.data() ? text.data() : "";
  if (const int rc = sqlite3_bind_text64(stmt_.get(), index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
      rc != SQLITE_OK) {
    fail(rc, "bind");
  }
}

void Statement::bind(int index, Blob blob) {
  const char* data = blob.bytes.data() ? blob.bytes.data() : "";
  if (const int rc = sqlite3_bind_blob64(stmt_.get(), index, data, blob.bytes.size(), SQLITE_STATIC);
      rc != SQLITE_OK) {
    fail(rc, "bind");
  }
}

void Statement::bind(int index, Null) {
  if (const int rc = sqlite3_bind_null(stmt_.get(), index); rc != SQLITE_OK) fail(rc, "bind");
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc, "run");
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::string_view Statement::text(int column) const {
  // Read as blob so TEXT and BLOB columns both come back byte for byte.
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), column));
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return data ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

std::optional<std::string_view> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

void Statement::fail(int code, std::string_view what) const {
  const int extended = sqlite3_extended_errcode(db_);
  throw SqliteError(extended != SQLITE_OK ? extended : code,
                    std::string("ork database '") + sqlite3_db_filename(db_, "main") + "': cannot " +
                        std::string(what) + " SQL: " + sqlite3_errmsg(db_) + " (in: " +
                        std::string(std::string_view(sqlite3_sql(stmt_.get())).substr(0, 80)) + ")");
}

}  // namespace ork::plugins::sqlite
