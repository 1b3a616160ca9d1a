// The `render` task of the polyglot example, as an ork library task written
// in C++ with the header-only task SDK (ork/task.hpp): turns the Rust
// histogram into the lines of a text bar chart. ORK_LIBRARY_TASK exports the
// C ABI of ork/task.h, and the signature ork type-checks against is derived
// from the described structs below.
#include <ork/task.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace polyglot {

// The output of the Rust `histogram` task. The input field is named after
// that task, so ork binds the task's whole output to it without an explicit
// `inputs:` entry.
struct Histogram {
  std::vector<long> counts;
  double bucket_width;
};
BOOST_DESCRIBE_STRUCT(Histogram, (), (counts, bucket_width))

struct RenderInput {
  Histogram histogram;
  std::optional<long> width;  // characters of the longest bar; 20 when absent
};
BOOST_DESCRIBE_STRUCT(RenderInput, (), (histogram, width))

struct Chart {
  std::vector<std::string> lines;
  long peak;
};
BOOST_DESCRIBE_STRUCT(Chart, (), (lines, peak))

namespace {

constexpr long default_width = 20;
constexpr long max_width = 200;

// "0.20-0.40 | ########           7": the bucket's range, a bar scaled so the
// peak count is `width` characters, and the count.
std::string chart_line(std::size_t bucket, double bucket_width, long count, long peak, long width) {
  const long bar = peak == 0 ? 0 : (count * width + peak / 2) / peak;
  char range[32];
  std::snprintf(range, sizeof range, "%.2f-%.2f", static_cast<double>(bucket) * bucket_width,
                static_cast<double>(bucket + 1) * bucket_width);
  std::string line = std::string(range) + " | " + std::string(static_cast<std::size_t>(bar), '#');
  line += std::string(static_cast<std::size_t>(width - bar), ' ') + " " + std::to_string(count);
  return line;
}

}  // namespace

Chart render(const RenderInput& input) {
  const long width = input.width.value_or(default_width);
  if (width < 1 || width > max_width) {
    throw std::invalid_argument("width must be between 1 and " + std::to_string(max_width) + ", not " +
                                std::to_string(width));
  }
  const std::vector<long>& counts = input.histogram.counts;
  if (std::any_of(counts.begin(), counts.end(), [](long count) { return count < 0; })) {
    throw std::invalid_argument("histogram counts must not be negative");
  }
  Chart chart{{}, counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end())};
  for (std::size_t bucket = 0; bucket < counts.size(); ++bucket) {
    chart.lines.push_back(chart_line(bucket, input.histogram.bucket_width, counts[bucket], chart.peak, width));
  }
  return chart;
}

}  // namespace polyglot

ORK_LIBRARY_TASK(polyglot::render)
