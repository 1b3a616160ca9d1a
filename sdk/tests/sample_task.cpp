// A process task built with the C++ SDK, run by process_task_test.cpp with
// stdin: repeats a label `count` times and sums some numbers.
#include <ork/task.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sample {

struct Item {
  std::string name;
  double price;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, price))

struct RepeatInput {
  long count;
  std::optional<std::string> label;
  std::vector<Item> items;
  std::map<std::string, int> weights;
};
BOOST_DESCRIBE_STRUCT(RepeatInput, (), (count, label, items, weights))

struct RepeatOutput {
  std::vector<std::string> labels;
  double total;
};
BOOST_DESCRIBE_STRUCT(RepeatOutput, (), (labels, total))

RepeatOutput repeat(const RepeatInput& input) {
  if (input.count < 0) throw std::invalid_argument("count must not be negative, got " + std::to_string(input.count));
  RepeatOutput out{std::vector<std::string>(static_cast<std::size_t>(input.count), input.label.value_or("x")), 0};
  for (const Item& item : input.items) out.total += item.price;
  for (const auto& [name, weight] : input.weights) out.total += weight;
  return out;
}

}  // namespace sample

int main(int argc, char** argv) { return ork::run(sample::repeat, argc, argv); }
