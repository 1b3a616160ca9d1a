#include "types/signature.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace ork::host {

const Type* Signature::find_input(std::string_view name) const {
  for (const auto& [input, type] : inputs) {
    if (input == name) return &type;
  }
  return nullptr;
}

bool Signature::has_default(std::string_view name) const {
  return std::find(defaults.begin(), defaults.end(), name) != defaults.end();
}

boost::json::object Signature::to_json() const {
  boost::json::object json;
  json["declared"] = declared;
  boost::json::object params;
  for (const auto& [name, type] : inputs) params[name] = type.to_structural_string();
  json["inputs"] = std::move(params);
  json["output"] = output.to_structural_string();
  boost::json::array with_defaults;
  for (const std::string& name : defaults) with_defaults.emplace_back(name);
  json["defaults"] = std::move(with_defaults);
  json["whole_input"] = whole_input ? boost::json::value(*whole_input) : boost::json::value(nullptr);
  return json;
}

namespace {

std::vector<std::pair<std::string, Type>> parse_inputs(const boost::json::value& json, const TypeResolver& resolve);
std::vector<std::string> parse_defaults(const boost::json::value& json, const Signature& signature);

}  // namespace

Signature parse_signature_json(std::string_view text, const TypeResolver& resolve) {
  boost::system::error_code error;
  boost::json::value json = boost::json::parse(text, error);
  if (error) throw TypeError("the signature is not valid JSON (" + error.message() + ")");
  if (!json.is_object()) throw TypeError("the signature must be a JSON object with \"inputs\" and \"output\"");
  Signature signature;
  signature.declared = true;
  for (const auto& [key, value] : json.get_object()) {
    if (key == "inputs") {
      signature.inputs = parse_inputs(value, resolve);
    } else if (key == "output") {
      try {
        signature.output = parse_type_json(value, resolve);
      } catch (const TypeError& e) {
        throw TypeError("signature output: " + e.describe());
      }
    } else if (key != "defaults" && key != "whole_input") {
      throw TypeError("the signature has an unknown key \"" + std::string(key) +
                      "\" (expected inputs, output, defaults, whole_input)");
    }
  }
  if (const boost::json::value* defaults = json.get_object().if_contains("defaults")) {
    signature.defaults = parse_defaults(*defaults, signature);
  }
  if (const boost::json::value* whole = json.get_object().if_contains("whole_input"); whole && !whole->is_null()) {
    if (!whole->is_string() || !signature.find_input(whole->get_string())) {
      throw TypeError("signature \"whole_input\" must name one of its inputs, not " + boost::json::serialize(*whole));
    }
    signature.whole_input = std::string(whole->get_string());
  }
  return signature;
}

namespace {

std::vector<std::pair<std::string, Type>> parse_inputs(const boost::json::value& json, const TypeResolver& resolve) {
  if (!json.is_object()) throw TypeError("signature \"inputs\" must be an object of parameter name -> type");
  std::vector<std::pair<std::string, Type>> inputs;
  for (const auto& [name, type] : json.get_object()) {
    try {
      inputs.emplace_back(std::string(name), parse_type_json(type, resolve));
    } catch (const TypeError& e) {
      throw TypeError("signature input \"" + std::string(name) + "\": " + e.describe());
    }
  }
  return inputs;
}

std::vector<std::string> parse_defaults(const boost::json::value& json, const Signature& signature) {
  if (!json.is_array()) throw TypeError("signature \"defaults\" must be a list of parameter names");
  std::vector<std::string> defaults;
  for (const boost::json::value& item : json.get_array()) {
    if (!item.is_string() || !signature.find_input(item.get_string())) {
      throw TypeError("signature \"defaults\" lists " + boost::json::serialize(item) + ", which is not one of its inputs");
    }
    defaults.emplace_back(item.get_string());
  }
  return defaults;
}

}  // namespace

}  // namespace ork::host
