#include "ork_storage/json_text.hpp"

#include <ork/limits.h>

#include <cstdint>

namespace ork::plugins::storage {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

struct Sequence {
  std::size_t length;  // bytes consumed
  bool valid;          // false: those bytes are one maximal invalid subpart
};
Sequence next_sequence(std::string_view bytes, std::size_t start);

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const Sequence sequence = next_sequence(bytes, i);
    if (sequence.valid) {
      out.append(bytes.substr(i, sequence.length));
    } else {
      out.append(replacement_character);
    }
    i += sequence.length;
  }
  return out;
}

boost::json::value json_text(std::optional<std::string_view> bytes) {
  if (!bytes) return nullptr;
  return boost::json::string(valid_utf8(*bytes));
}

boost::json::value embedded_json(std::optional<std::string_view> document) {
  if (!document || document->empty()) return nullptr;
  boost::json::parse_options options;
  options.max_depth = ORK_MAX_JSON_DEPTH;  // what executors and the scheduler accept as an output
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(*document, ec, {}, options);
  if (ec) return json_text(document);
  return value;
}

namespace {

// Decodes one UTF-8 sequence (Unicode Table 3-7 of well-formed byte
// sequences). An ill-formed one consumes its maximal subpart: the longest
// prefix that could have started a valid sequence, at least one byte.
Sequence next_sequence(std::string_view bytes, std::size_t start) {
  const auto lead = static_cast<std::uint8_t>(bytes[start]);
  if (lead < 0x80) return {1, true};
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3;
    low = 0xA0;
  } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    length = 3;
  } else if (lead == 0xED) {
    length = 3;
    high = 0x9F;  // U+D800..U+DFFF are surrogates, not characters
  } else if (lead == 0xF0) {
    length = 4;
    low = 0x90;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4;
    high = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};
  }
  std::size_t consumed = 1;
  while (consumed < length) {
    if (start + consumed >= bytes.size()) return {consumed, false};
    const auto next = static_cast<std::uint8_t>(bytes[start + consumed]);
    if (next < low || next > high) return {consumed, false};
    low = 0x80;
    high = 0xBF;
    ++consumed;
  }
  return {length, true};
}

}  // namespace

}  // namespace ork::plugins::storage
