// The named types of a workflow's `types:` block (`Numbers: {numbers: "list[int]"}`,
// `Id: "int"`), resolved once so task `input_type`/`output_type` declarations
// and workflow inputs can refer to them by name. Definitions may refer to each
// other in any order; recursive definitions are refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "types/type.hpp"
#include "workflow/yaml_nodes.hpp"

namespace ork::host {

class NamedTypes {
 public:
  // Reads the `types:` mapping. A bad definition is reported into `errors`
  // and then behaves as Any, so one mistake does not cascade.
  // `values` converts the definitions (and counts them against the file's budget).
  static NamedTypes from_yaml(const YamlNode& types, const std::string& file, YamlValueReader& values,
                              std::vector<Diagnostic>& errors);

  std::optional<Type> find(std::string_view name) const;
  // For parse_type / parse_type_json; refers to this object, which must outlive it.
  TypeResolver resolver() const;

 private:
  std::map<std::string, Type, std::less<>> types_;
};

}  // namespace ork::host
