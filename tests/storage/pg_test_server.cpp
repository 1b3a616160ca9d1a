// ctest fixture helper: `ork_pg_test_server start STATE` starts the throw-away
// PostgreSQL server the storage tests share and writes STATE for them (or
// the reason it cannot run, so they skip saying why); `stop STATE` stops it
// and removes its folder.
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>

#include "pg_server.hpp"

int main(int argc, char** argv) {
  using ork::storage_test::PgServer;
  const std::string usage = "usage: ork_pg_test_server start|stop STATE_FILE\n";
  if (argc != 3) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  const std::string command = argv[1];
  const std::string state = argv[2];
  try {
    if (command == "start") {
      if (const std::string reason = PgServer::unavailable_reason(); !reason.empty()) {
        std::ofstream(state) << reason;
        std::printf("no PostgreSQL test server: %s\n", reason.c_str());
        return 0;
      }
      PgServer server;
      server.save(state, true);
      std::printf("PostgreSQL test server on port %d\n", server.port());
      return 0;
    }
    if (command == "stop") {
      std::unique_ptr<PgServer> attached;
      try {
        attached = PgServer::attach(state);
      } catch (const std::exception&) {
        std::remove(state.c_str());
        return 0;  // none was started
      }
      attached->stop();
      std::remove(state.c_str());
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ork_pg_test_server %s: %s\n", command.c_str(), e.what());
    return 1;
  }
  std::fputs(usage.c_str(), stderr);
  return 2;
}
