// The C++ language benchmark's task (bench/cpp_bench.py): a plain function,
// built by the cpp language plugin, that does almost nothing. No parameter,
// like the baseline C task, so that the two differ only in how they are built.
#include <boost/describe.hpp>

#include <cstdint>

struct Measured {
  std::int64_t count;
};
BOOST_DESCRIBE_STRUCT(Measured, (), (count))

Measured measure() { return Measured{1}; }
