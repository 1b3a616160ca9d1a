// A C++ task file: plain functions, structs described with BOOST_DESCRIBE_STRUCT.
#include <boost/describe.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scoring.hpp"

struct Scored {
  std::string name;
  double score;
  std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Scored, (), (name, score, note))

struct Ranked {
  std::vector<Scored> items;
  std::map<std::string, std::int64_t> positions;
};
BOOST_DESCRIBE_STRUCT(Ranked, (), (items, positions))

using Items = std::vector<Scored>;

Ranked rank(const Items& items, std::int64_t top) {
  Ranked out{items, {}};
  std::sort(out.items.begin(), out.items.end(),
            [](const Scored& a, const Scored& b) { return scoring::weight(a.score) > scoring::weight(b.score); });
  if (out.items.size() > static_cast<std::size_t>(top)) out.items.resize(static_cast<std::size_t>(top));
  for (std::size_t i = 0; i < out.items.size(); ++i) out.positions[out.items[i].name] = static_cast<std::int64_t>(i + 1);
  return out;
}

namespace text {
std::string shout(std::string word, int times = 2, std::optional<std::string> suffix = std::nullopt) {
  std::string out;
  for (int i = 0; i < times; ++i) out += word;
  return out + suffix.value_or("!");
}
}  // namespace text

// Items for rank: n of them, scored 0, 1, 2...
Items sample(std::int64_t n) {
  Items items;
  for (std::int64_t i = 0; i < n; ++i) items.push_back(Scored{"i" + std::to_string(i), static_cast<double>(i), {}});
  return items;
}
