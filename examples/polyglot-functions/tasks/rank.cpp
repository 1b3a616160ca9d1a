// Step 4 (C++): orders players by total and keeps the top ones.
#include <boost/describe.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

struct Scored {
  std::string player;
  std::int64_t total;
  std::int64_t games;
};
BOOST_DESCRIBE_STRUCT(Scored, (), (player, total, games))

struct Ranked {
  std::int64_t place;
  std::string player;
  std::int64_t total;
};
BOOST_DESCRIBE_STRUCT(Ranked, (), (place, player, total))

std::vector<Ranked> rank(std::vector<Scored> items, std::int64_t top) {
  std::stable_sort(items.begin(), items.end(), [](const Scored& a, const Scored& b) { return a.total > b.total; });
  std::vector<Ranked> ranked;
  for (std::size_t i = 0; i < items.size() && static_cast<std::int64_t>(i) < top; ++i)
    ranked.push_back({static_cast<std::int64_t>(i) + 1, items[i].player, items[i].total});
  return ranked;
}
