// The read side of the postgres storage plugin: answers the host's
// ork_query_kind queries with the same JSON documents as the sqlite plugin
// (plugin.h, docs/storage.md). Called by PostgresStore::query inside a
// read-only snapshot transaction.
#pragma once

#include <ork/plugin.h>

#include <string>
#include <string_view>

#include "connection.hpp"

namespace ork::plugins::postgres {

// Parses `params_json`, runs the query and returns its JSON answer. Throws
// std::invalid_argument for bad params (naming the query and the param),
// ork::plugin::NotFound when the run or workflow does not exist, and
// std::runtime_error for an ambiguous run id prefix.
std::string answer_query(Connection& db, ork_query_kind kind, std::string_view params_json);

}  // namespace ork::plugins::postgres
