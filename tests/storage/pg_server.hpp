// A throw-away PostgreSQL server for the storage tests: initdb in a temporary
// folder, started with pg_ctl on a free loopback port, stopped and removed at
// the end. initdb refuses to run as root, so as root the server runs as the
// `postgres` system user. Used by the conformance suite, the PostgreSQL-only
// tests and the end-to-end test through the real `ork` binary.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace ork::storage_test {

class PgServer {
 public:
  // Empty when the server binaries are installed; otherwise why not, for
  // GTEST_SKIP (scripts/setup.sh --with-test-tools installs them).
  static std::string unavailable_reason();

  // Creates and starts the server; throws with pg_ctl's output on failure.
  PgServer();
  // A server another process started and described in `state_file` (see
  // save); it is left running when this object goes.
  static std::unique_ptr<PgServer> attach(const std::filesystem::path& state_file);
  // Writes what attach needs; with `keep_running`, this object no longer
  // stops the server (ctest's fixture tests start and stop it).
  void save(const std::filesystem::path& state_file, bool keep_running);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const noexcept { return port_; }
  // postgresql://ork@127.0.0.1:PORT/DATABASE
  std::string url(std::string_view database) const;
  // A new empty database; returns its URL.
  std::string create_database();
  // pg_ctl restart -m fast: every open connection is cut.
  void restart();
  // Stops the server at once and removes its folder.
  void stop() noexcept;

 private:
  PgServer(std::filesystem::path root, int port) : root_(std::move(root)), port_(port), owned_(false) {}
  void run(const std::string& command, std::string_view what) const;

  std::filesystem::path root_;  // holds data/, the socket and the log
  int port_ = 0;
  int databases_ = 0;
  bool owned_ = true;
};

// One server shared by every test of this binary: the one named by the state
// file in $ORK_TEST_PG_STATE (ctest starts it once for all test processes),
// else one started on first use and stopped at exit. Null, with `reason`
// set, when it cannot run here.
PgServer* shared_pg_server(std::string* reason);

}  // namespace ork::storage_test
