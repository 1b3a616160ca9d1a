// The read side of the sqlite storage plugin: answers the host's
// ork_query_kind queries (list runs, get a run, logs, events, workflows) with
// the JSON documents described in plugin.h and docs/storage.md (kinds 7 and 8
// since API 1.1: workflow settings, orphaned runs; 9 and 10 since API 1.3:
// a queued attempt, the workers). Called by
// SqliteStore::query inside a read transaction; tested directly.
#pragma once

#include <ork/plugin.h>

#include <string>
#include <string_view>

#include "connection.hpp"

namespace ork::plugins::sqlite {

// Parses `params_json`, runs the query and returns its JSON answer. Throws
// std::invalid_argument for bad params (naming the query and the param),
// ork::plugin::NotFound when the run or workflow does not exist, and
// std::runtime_error for an ambiguous run id prefix.
std::string answer_query(Connection& db, ork_query_kind kind, std::string_view params_json);

}  // namespace ork::plugins::sqlite
