#include "ork_executor/duration_text.hpp"

namespace ork::plugins::executor {

std::string format_duration(std::chrono::milliseconds duration) {
  long long ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string fraction = std::to_string(1000 + ms % 1000).substr(1);  // zero-padded to 3 digits
  while (fraction.back() == '0') fraction.pop_back();
  return std::to_string(ms / 1000) + "." + fraction + "s";
}

}  // namespace ork::plugins::executor
