// The sqlite storage plugin's schema: numbered migrations compiled into the
// plugin and the code that applies them when a store opens. Included by the
// store and by the migration tests.
//
// The schema version lives in `PRAGMA user_version`. A new file gets every
// migration; an older one gets the missing ones, all in one transaction; a
// file newer than this plugin is refused. To change the schema, append a
// migration to the list in migrations.cpp; never edit a released one.
#pragma once

#include <span>
#include <string_view>

#include "connection.hpp"

namespace ork::plugins::sqlite {

struct Migration {
  int version;             // 1, 2, 3, … with no gaps
  std::string_view name;   // what it changes, for error messages
  std::string_view sql;    // one or more statements
};

// Marks a database as ork's (PRAGMA application_id), so a foreign SQLite file
// is never migrated by mistake. 0x6f726b31 is "ork1" in ASCII.
inline constexpr int ork_application_id = 0x6f726b31;

// The migrations this plugin knows, in order.
std::span<const Migration> known_migrations();

// Brings the database up to the last of `migrations`. Throws, naming the
// file and what to do, when it is newer than the list or is not ork's.
void migrate(Connection& connection, std::span<const Migration> migrations = known_migrations());

}  // namespace ork::plugins::sqlite
