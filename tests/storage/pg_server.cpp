#include "pg_server.hpp"

#include <libpq-fe.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace ork::storage_test {

namespace fs = std::filesystem;

namespace {

fs::path server_bin_dir();
int free_loopback_port();
std::string slurp(const fs::path& file);

}  // namespace

std::string PgServer::unavailable_reason() {
  if (server_bin_dir().empty()) {
    return "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin; "
           "install the postgresql package (scripts/setup.sh --with-test-tools) to run these tests";
  }
  if (::geteuid() == 0 && std::system("id postgres >/dev/null 2>&1") != 0) {
    return "running as root, and there is no 'postgres' user to run initdb as";
  }
  return "";
}

PgServer::PgServer() {
  std::string pattern = (fs::temp_directory_path() / "ork-pg-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp");
  root_ = pattern;
  // The server user must reach its folder and write into it.
  fs::permissions(root_, fs::perms::all, fs::perm_options::replace);
  const fs::path bin = server_bin_dir();
  run("'" + (bin / "initdb").string() + "' -D '" + (root_ / "data").string() +
          "' -A trust -U ork -E UTF8 --no-sync --locale=C.UTF-8",
      "initdb");
  // A port taken between the probe and the start makes pg_ctl fail: retry.
  for (int tries = 1;; ++tries) {
    port_ = free_loopback_port();
    try {
      run("'" + (bin / "pg_ctl").string() + "' -D '" + (root_ / "data").string() + "' -l '" +
              (root_ / "server.log").string() + "' -w -t 60 -o \"-p " + std::to_string(port_) + " -k '" +
              root_.string() +
              "' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
              "-c max_connections=200\" start",
          "pg_ctl start");
      break;
    } catch (const std::runtime_error&) {
      if (tries == 3) throw;
    }
  }
}

std::unique_ptr<PgServer> PgServer::attach(const fs::path& state_file) {
  std::ifstream in(state_file);
  std::string root;
  int port = 0;
  if (!std::getline(in, root) || !(in >> port)) {
    throw std::runtime_error("no PostgreSQL test server state in " + state_file.string());
  }
  return std::unique_ptr<PgServer>(new PgServer(root, port));
}

void PgServer::save(const fs::path& state_file, bool keep_running) {
  std::ofstream(state_file) << root_.string() << "\n" << port_ << "\n";
  if (keep_running) owned_ = false;
}

PgServer::~PgServer() {
  if (owned_) stop();
}

void PgServer::stop() noexcept {
  try {
    run("'" + (server_bin_dir() / "pg_ctl").string() + "' -D '" + (root_ / "data").string() +
            "' -m immediate -w stop",
        "pg_ctl stop");
  } catch (const std::exception&) {
    // Removing the folder below still leaves a server without its data dir,
    // which exits on its own.
  }
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

std::string PgServer::url(std::string_view database) const {
  return "postgresql://ork@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

std::string PgServer::create_database() {
  const std::string name = "test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb(url("postgres").c_str()), &PQfinish);
  if (PQstatus(admin.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the test server: " + std::string(PQerrorMessage(admin.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> created(
      PQexec(admin.get(), ("CREATE DATABASE " + name + " TEMPLATE template0").c_str()), &PQclear);
  if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error("cannot create database " + name + ": " + PQerrorMessage(admin.get()));
  }
  return url(name);
}

void PgServer::restart() {
  run("'" + (server_bin_dir() / "pg_ctl").string() + "' -D '" + (root_ / "data").string() + "' -l '" +
          (root_ / "server.log").string() + "' -m fast -w -t 60 restart",
      "pg_ctl restart");
}

// Runs `command` as the server's user, its output kept for the error message.
void PgServer::run(const std::string& command, std::string_view what) const {
  const fs::path output = root_ / "command.out";
  std::string line = command + " >'" + output.string() + "' 2>&1";
  if (::geteuid() == 0) {
    std::string quoted;
    for (char c : line) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line = "su postgres -s /bin/sh -c '" + quoted + "'";
  }
  if (std::system(line.c_str()) != 0) {
    throw std::runtime_error(std::string(what) + " failed: " + slurp(output) + "\nserver log:\n" +
                             slurp(root_ / "server.log"));
  }
}

PgServer* shared_pg_server(std::string* reason) {
  static std::mutex mutex;
  static std::unique_ptr<PgServer> server;
  static std::string failure;
  std::lock_guard lock(mutex);
  if (!server && failure.empty()) {
    if (const char* state = std::getenv("ORK_TEST_PG_STATE"); state && *state) {
      try {
        server = PgServer::attach(state);
      } catch (const std::exception& e) {
        failure = slurp(state);  // the start step wrote why it could not start one
        if (failure.empty()) failure = e.what();
      }
      if (reason) *reason = failure;
      return server.get();
    }
    failure = PgServer::unavailable_reason();
    if (failure.empty()) {
      try {
        server = std::make_unique<PgServer>();
      } catch (const std::exception& e) {
        failure = std::string("cannot start a PostgreSQL test server: ") + e.what();
      }
    }
  }
  if (reason) *reason = failure;
  return server.get();
}

namespace {

// The newest installed major version, e.g. /usr/lib/postgresql/15/bin.
fs::path server_bin_dir() {
  fs::path best;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl") && (best.empty() || bin > best)) best = bin;
  }
  return best;
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

}  // namespace ork::storage_test
