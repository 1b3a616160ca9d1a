// The postgres storage plugin's schema: numbered SQL migrations compiled into
// the plugin and the code that applies them when a store opens. Included by
// the store and by the tests.
//
// Applied versions are rows of `schema_migrations`. Opening a store applies
// the missing migrations in one transaction under an advisory lock, so two
// processes starting at once migrate exactly once and a failing script
// leaves the database as it was; a database newer than the plugin is refused.
// To change the schema, append a migration; never edit a released one.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "connection.hpp"

namespace ork::plugins::postgres {

struct Migration {
  int version;            // increasing; numbered like the sqlite schema they match (no 3 here)
  std::string_view name;  // what it changes, for error messages
  std::string_view sql;   // one or more statements
};

// pg_advisory_xact_lock keys: "ork1" and "ork2" in ASCII.
inline constexpr std::int64_t migration_lock_key = 0x6f726b31;
inline constexpr std::int64_t event_lock_key = 0x6f726b32;

std::span<const Migration> known_migrations();

// Brings the database up to the last of `migrations`. Throws, naming the
// server and what to do, when it is newer than the list.
void migrate(Connection& connection, std::span<const Migration> migrations = known_migrations());

}  // namespace ork::plugins::postgres
