// The C++ language benchmark's task (bench/cpp_bench.py): a plain function,
// built by the cpp language plugin, that does almost nothing.
#include <boost/describe.hpp>

#include <cstdint>

struct Measured {
  std::int64_t count;
};
BOOST_DESCRIBE_STRUCT(Measured, (), (count))

Measured measure(std::int64_t scale = 1) { return Measured{scale}; }
