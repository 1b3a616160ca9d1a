#include "core/output_depth.hpp"

#include <ork/limits.h>

#include <boost/json.hpp>

namespace ork::host {

bool output_too_deep(std::string_view output_json) {
  boost::json::parse_options options;
  options.max_depth = ORK_MAX_JSON_DEPTH;
  boost::json::error_code ec;
  boost::json::parse(output_json, ec, {}, options);
  return ec == boost::json::error::too_deep;
}

std::string output_too_deep_error() {
  return "output nests deeper than " + std::to_string(ORK_MAX_JSON_DEPTH) +
         " levels (arrays and objects inside one another); flatten it, or write it to a file and return the "
         "file's path";
}

}  // namespace ork::host
