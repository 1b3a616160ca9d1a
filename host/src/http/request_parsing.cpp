#include "http/request_parsing.hpp"

#include <Poco/URI.h>

#include <charconv>

namespace ork::host {

void parse_request_target(std::string_view target, ApiRequest& request) {
  Poco::URI uri{std::string(target)};
  request.path = uri.getPath();
  for (const auto& [key, value] : uri.getQueryParameters()) request.query[key] = value;
}

std::optional<std::int64_t> integer_query_param(const ApiRequest& request, const std::string& name, std::int64_t min,
                                                std::int64_t max) {
  std::optional<std::string> text = request.query_value(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw HttpError(400, "query parameter '" + name + "' must be an integer from " + std::to_string(min) + " to " +
                             std::to_string(max));
  }
  return value;
}

TriggerBody parse_trigger_body(const ApiRequest& request) {
  TriggerBody body;
  for (const auto& [key, value] : request.json_body()) {
    if (key == "inputs") {
      if (!value.is_object()) throw HttpError(400, "\"inputs\" must be a JSON object of input name to value");
      body.inputs = value.as_object();
    } else if (key == "idempotency_key") {
      if (!value.is_string()) throw HttpError(400, "\"idempotency_key\" must be a string");
      body.idempotency_key = std::string(value.as_string());
    } else {
      throw HttpError(400, "unknown key \"" + std::string(key) + "\" in the body (expected \"inputs\", \"idempotency_key\")");
    }
  }
  return body;
}

}  // namespace ork::host
