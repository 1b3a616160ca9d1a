// A task's signature: its named, typed parameters and its output type, as an
// executor reports it at compile time (the JSON of `ork_check_sink.signature`
// in plugin.h) or as the workflow file declares it (`input_type`,
// `output_type`). The workflow compiler type-checks bindings against it; the
// scheduler and `ork validate` show it.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "types/type.hpp"

namespace ork::host {

struct Signature {
  // false: nothing is known about the task's parameters, so they are not
  // checked (its output may still be known, from `output_type`).
  bool declared = false;
  std::vector<std::pair<std::string, Type>> inputs;  // parameters, in declaration order
  Type output;                                       // Any when unknown
  std::vector<std::string> defaults;                 // parameters that have a default value
  // The one parameter that receives the whole input object (docs/workflows.md), if any.
  std::optional<std::string> whole_input;

  const Type* find_input(std::string_view name) const;
  bool has_default(std::string_view name) const;

  // {"declared", "inputs": {NAME: TYPE}, "output": TYPE, "defaults": [...],
  // "whole_input": NAME|null}, types as structural strings.
  boost::json::object to_json() const;
};

// Parses the signature JSON an executor reports:
//   {"inputs": {"NAME": TYPE, ...}, "output": TYPE, "defaults": [...], "whole_input": "NAME"}
// where TYPE is a type string or a JSON object type. Missing "output" means Any.
// The result is `declared`. Throws TypeError naming the offending part.
Signature parse_signature_json(std::string_view json, const TypeResolver& resolve = {});

}  // namespace ork::host
