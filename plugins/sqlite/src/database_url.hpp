// Parses the `--db` URL the host hands to the sqlite storage plugin into the
// database file and its options. Included by the plugin entry point and tests.
//
// Accepted forms: `sqlite:///abs/path.db`, `sqlite://relative/path.db`,
// `sqlite:path.db`, the same with `file:` instead of `sqlite:`, and a plain
// path (`.ork/ork.db`). Any form may end in `?sync=full` (or `?sync=normal`,
// the default) to choose how often SQLite syncs to disk.
#pragma once

#include <filesystem>
#include <string_view>

#include "connection.hpp"

namespace ork::plugins::sqlite {

struct DatabaseUrl {
  std::filesystem::path file;
  Synchronous synchronous = Synchronous::normal;
};

// Throws std::invalid_argument naming the URL and the problem.
DatabaseUrl parse_database_url(std::string_view url);

}  // namespace ork::plugins::sqlite
