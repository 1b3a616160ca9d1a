// Entry point of the postgres storage plugin (ork_storage_postgres.so):
// exports the descriptor through ORK_STORAGE_PLUGIN and opens one
// PostgresStore (with its own connection pool) per URL.
#include <ork/plugin.hpp>

#include <memory>
#include <string_view>

#include "postgres_store.hpp"
#include "server_url.hpp"

namespace ork::plugins::postgres {

class PostgresStorage final : public ork::plugin::Storage {
 public:
  // The host maps postgres:// to postgresql://; other hosts may not.
  static constexpr const char* url_schemes[] = {"postgresql", "postgres", nullptr};

  using store_type = PostgresStore;  // its optional groups fill the table's later slots

  std::unique_ptr<ork::plugin::Store> open(std::string_view url) override {
    return std::make_unique<PostgresStore>(parse_server_url(url));
  }
};

}  // namespace ork::plugins::postgres

ORK_STORAGE_PLUGIN(ork::plugins::postgres::PostgresStorage, "postgres", "1.0.0",
                   "State store on a PostgreSQL server (libpq, pooled connections), shared by many hosts")
