// Entry point of the sqlite storage plugin (ork_storage_sqlite.so): exports
// the descriptor through ORK_STORAGE_PLUGIN and opens one SqliteStore per URL.
#include <ork/plugin.hpp>

#include <memory>
#include <string_view>

#include "database_url.hpp"
#include "sqlite_store.hpp"

namespace ork::plugins::sqlite {

class SqliteStorage final : public ork::plugin::Storage {
 public:
  static constexpr const char* url_schemes[] = {"sqlite", "file", nullptr};

  using store_type = SqliteStore;  // its optional groups fill the table's later slots

  std::unique_ptr<ork::plugin::Store> open(std::string_view url) override {
    return std::make_unique<SqliteStore>(parse_database_url(url));
  }
};

}  // namespace ork::plugins::sqlite

ORK_STORAGE_PLUGIN(ork::plugins::sqlite::SqliteStorage, "sqlite", "1.0.0",
                   "Embedded state store on one SQLite file (WAL); the default, .ork/ork.db")
