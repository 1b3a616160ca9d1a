// Durations as workflow files write them (`timeout: 10m`, `retry_delay: 2s`).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ork::host {

// "500ms", "30s", "10m", "2h", "1d", combinations such as "1h30m", decimals
// such as "1.5s", or a bare number of seconds ("90", "0.25"). nullopt when
// `text` is none of these (negative values included).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest spelling parse_duration reads back: "1h30m", "2s", "1500ms".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace ork::host
