#include "http/request_parsing.hpp"

#include <Poco/URI.h>

#include <string>

namespace ork::host {

void parse_request_target(std::string_view target, ApiRequest& request) {
  Poco::URI uri{std::string(target)};
  request.path = uri.getPath();
  for (const auto& [key, value] : uri.getQueryParameters()) request.query[key] = value;
}

}  // namespace ork::host
