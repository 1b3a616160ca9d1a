// Turns stored bytes into JSON values for the storage plugins' query answers
// (sqlite and postgres alike, so both render the same bytes the same way):
// text that may hold invalid UTF-8 (log lines, stderr in errors) and JSON
// documents stored as text (outputs, inputs, specs) that may be invalid.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ork::plugins::storage {

// `bytes` as valid UTF-8: each maximal invalid sequence becomes U+FFFD, as
// the Unicode standard recommends (and browsers do).
std::string valid_utf8(std::string_view bytes);

// A JSON string holding valid_utf8(bytes); null when `bytes` is absent.
boost::json::value json_text(std::optional<std::string_view> bytes);

// The stored JSON document as a value; null when absent or empty. A document
// that does not parse is embedded as a string rather than failing the query.
boost::json::value embedded_json(std::optional<std::string_view> document);

}  // namespace ork::plugins::storage
