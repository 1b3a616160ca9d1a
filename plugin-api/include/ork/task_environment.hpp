// The environment an executor gives the processes it starts for tasks: the
// host's own, minus ork's secrets (the API token, the database URL with its
// password, libpq's password). Header-only, for every executor plugin that
// spawns a process — ork's process, python and library executors, and third
// parties. It lives here rather than in the host because the host cannot
// drop these variables from its own environment: it reads ORK_API_TOKEN when
// serving, libpq reads PGPASSWORD on every reconnect, and unsetenv is not
// safe once threads run; and the ABI hands executors only the task's own
// `env:`, so each executor builds the rest from environ itself.
#pragma once

#include <unistd.h>  // environ (g++ defines _GNU_SOURCE)

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugin {

// Never passed to a task (docs/executors/process.md, "Environment"). A task
// that needs one of them sets it in its own `env:`.
inline constexpr std::array<std::string_view, 3> host_secret_variables = {
    "ORK_API_TOKEN",     // bearer token of `ork serve` and of `ork trigger`/`ork cancel`
    "ORK_DATABASE_URL",  // the store; a PostgreSQL URL may hold a password
    "PGPASSWORD",        // libpq's password for the store
};

// Also withheld: any ORK_* variable named like a secret, so that one added
// later is covered before anyone remembers to list it.
inline constexpr std::array<std::string_view, 4> host_secret_suffixes = {"_TOKEN", "_PASSWORD", "_SECRET", "_KEY"};

// Whether the variable `name` (a name, or a whole "NAME=VALUE" entry) is one
// of the host's secrets.
inline bool is_host_secret(std::string_view name) {
  name = name.substr(0, name.find('='));
  for (std::string_view secret : host_secret_variables) {
    if (name == secret) return true;
  }
  if (!name.starts_with("ORK_")) return false;
  for (std::string_view suffix : host_secret_suffixes) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

// This process's environment without the host's secrets, as "NAME=VALUE".
inline std::vector<std::string> inherited_environment() {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (!is_host_secret(*entry)) entries.emplace_back(*entry);
  }
  return entries;
}

// A NULL-terminated envp for posix_spawn/execve over `entries`, which must
// outlive it (posix_spawn's prototype takes char* const[] but never writes).
inline std::vector<char*> envp_of(std::vector<std::string>& entries) {
  std::vector<char*> envp;
  envp.reserve(entries.size() + 1);
  for (std::string& entry : entries) envp.push_back(entry.data());
  envp.push_back(nullptr);
  return envp;
}

}  // namespace ork::plugin
