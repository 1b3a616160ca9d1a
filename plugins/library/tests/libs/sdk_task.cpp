// A task library written with the C++ SDK: two typed tasks in one library.
#include <ork/task.hpp>

#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace numbers {

struct SumInput {
  std::vector<long> numbers;
};
BOOST_DESCRIBE_STRUCT(SumInput, (), (numbers))

struct Sum {
  long total;
  std::size_t count;
};
BOOST_DESCRIBE_STRUCT(Sum, (), (total, count))

Sum sum(const SumInput& input) {
  if (input.numbers.empty()) throw std::invalid_argument("nothing to sum: `numbers` is empty");
  return Sum{std::accumulate(input.numbers.begin(), input.numbers.end(), 0L), input.numbers.size()};
}

struct GreetInput {
  std::string name;
};
BOOST_DESCRIBE_STRUCT(GreetInput, (), (name))

std::string greet(const GreetInput& input) { return "hello " + input.name; }

}  // namespace numbers

ORK_LIBRARY_TASK(numbers::sum)
ORK_LIBRARY_TASK_NAMED(numbers::greet, greet)
