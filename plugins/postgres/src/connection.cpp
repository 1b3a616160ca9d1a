#include "connection.hpp"

#include <ork/plugin.hpp>

#include <charconv>
#include <thread>

#include "ork_storage/json_text.hpp"

namespace ork::plugins::postgres {

using storage::embedded_json;
using storage::json_text;
using storage::valid_utf8;

namespace {

PGconn* connect_once(const ServerUrl& url);
std::string trimmed(const char* message);
void forward_notice(void* arg, const char* message);
bool is_connection_failure(std::string_view sqlstate);

}  // namespace

// ---- Param --------------------------------------------------------------------

Param::Param(std::string_view text) {
  std::string valid = valid_utf8(text);
  // TEXT cannot hold NUL; shown text turns it into U+FFFD like other bad bytes.
  for (std::size_t at = valid.find('\0'); at != std::string::npos; at = valid.find('\0', at)) {
    valid.replace(at, 1, "\xEF\xBF\xBD");
  }
  value_ = std::move(valid);
}

Param Param::bytes(std::string_view bytes) {
  Param param(std::nullopt);
  param.value_ = std::string(bytes);
  param.binary_ = true;
  return param;
}

// ---- Result -------------------------------------------------------------------

std::int64_t Result::affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  std::int64_t count = 0;
  std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), count);
  return count;
}

std::string_view Result::text(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::optional<std::string_view> Result::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t Result::integer(int row, int column) const {
  const std::string_view digits = text(row, column);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    throw std::runtime_error("PostgreSQL returned '" + std::string(digits) + "' in column " +
                             std::string(PQfname(result_.get(), column)) + " where an integer was expected");
  }
  return value;
}

std::optional<std::int64_t> Result::optional_integer(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return integer(row, column);
}

std::string Result::bytes(int row, int column) const {
  const std::string_view hex = text(row, column);
  if (!hex.starts_with("\\x")) {
    throw std::runtime_error("PostgreSQL returned column " + std::string(PQfname(result_.get(), column)) +
                             " in a bytea format other than hex; set bytea_output = 'hex'");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve((hex.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < hex.size(); i += 2) {
    const int high = nibble(hex[i]);
    const int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) throw std::runtime_error("PostgreSQL returned malformed hex bytea");
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

// ---- Connection ---------------------------------------------------------------

Connection::Connection(const ServerUrl& url, std::chrono::milliseconds patience)
    : url_(url), conn_(connect_once(url), &PQfinish) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  auto pause = std::chrono::milliseconds(50);
  while (PQstatus(conn_.get()) != CONNECTION_OK && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    conn_.reset(connect_once(url));
  }
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the PostgreSQL server " + url.description + ": " +
                             trimmed(PQerrorMessage(conn_.get())) +
                             "; check that the server runs and accepts this user, and the --db URL");
  }
  PQsetNoticeProcessor(conn_.get(), &forward_notice, nullptr);
  // Text results must be parseable the same way on every server setup.
  execute_script("SET bytea_output = 'hex'; SET client_min_messages = warning");
}

Result Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  const std::string& name = prepared_name(sql);
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const Param& param : params) {
    values.push_back(param.value() ? param.value()->c_str() : nullptr);
    lengths.push_back(param.value() ? static_cast<int>(param.value()->size()) : 0);
    formats.push_back(param.binary() ? 1 : 0);
  }
  PGresult* result = PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()), values.data(),
                                    lengths.data(), formats.data(), 0);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  return Result(result);
}

void Connection::execute_script(std::string_view sql) {
  PGresult* result = PQexec(conn_.get(), std::string(sql).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  PQclear(result);
}

// Names the server, the server's message with its SQLSTATE, and the start of
// the statement; a broken socket becomes ConnectionLost.
void Connection::fail(PGresult* raw, std::string_view what) {
  const Result result(raw);  // frees it on the way out
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  const char* constraint = raw ? PQresultErrorField(raw, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  const std::string sqlstate = state ? state : "";
  std::string message = raw && PQresultErrorMessage(raw)[0] ? trimmed(PQresultErrorMessage(raw))
                                                            : trimmed(PQerrorMessage(conn_.get()));
  std::string statement(what.substr(0, 120));
  if (what.size() > 120) statement += "…";
  if (PQstatus(conn_.get()) != CONNECTION_OK || is_connection_failure(sqlstate)) {
    broken_ = true;
    throw ConnectionLost("lost the connection to the PostgreSQL server " + url_.description + ": " + message);
  }
  throw PgError("PostgreSQL server " + url_.description + " refused a statement: " + message +
                    (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")") + " in: " + statement,
                sqlstate, constraint ? constraint : "");
}

const std::string& Connection::prepared_name(std::string_view sql) {
  const std::string key(sql);
  if (auto found = prepared_.find(key); found != prepared_.end()) return found->second;
  std::string name = "ork_" + std::to_string(prepared_.size() + 1);
  PGresult* result = PQprepare(conn_.get(), name.c_str(), key.c_str(), 0, nullptr);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) fail(result, sql);
  PQclear(result);
  return prepared_.emplace(key, std::move(name)).first->second;
}

void Connection::rollback_quietly() noexcept {
  if (!healthy()) return;  // the server rolled back when the session ended
  PGresult* result = PQexec(conn_.get(), "ROLLBACK");
  if (PQresultStatus(result) != PGRES_COMMAND_OK) broken_ = true;
  PQclear(result);
}

namespace {

// libpq reads URL options after the defaults given before the URL, so the
// URL's own connect_timeout or application_name wins.
PGconn* connect_once(const ServerUrl& url) {
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "client_encoding", "dbname", nullptr};
  const char* values[] = {"10", "ork", "UTF8", url.conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (!conn) throw std::bad_alloc();
  return conn;
}

// libpq's messages span lines and indent with tabs; ours are one line.
std::string trimmed(const char* message) {
  std::string text;
  bool space = false;
  for (const char* c = message ? message : ""; *c; ++c) {
    if (*c == '\n' || *c == '\t' || *c == ' ') {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += *c;
  }
  return text;
}

// Server notices would otherwise go to the host's stderr.
void forward_notice(void*, const char* message) { ork::plugin::diagnostic(0, trimmed(message)); }

// Class 08 (connection exception), 57P01..57P03 (server shutting down or
// starting): the session is gone or unusable.
bool is_connection_failure(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace

}  // namespace ork::plugins::postgres
