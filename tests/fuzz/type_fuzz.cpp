// Fuzz target: the type language — the type-syntax parser, the JSON-type and
// signature parsers, the printers and assignability. The first line of the
// input is a type string, the rest a second type string and, separately, a
// JSON type / signature. Identifiers `Order` and `Item` resolve to named object
// types, so named types are printed and compared too. Properties: a parsed
// type prints to text that parses back to an equal type (its structural text
// to one of the same structure); every type fits itself; a type fits
// `T | None`; parse errors are TypeErrors with a column inside the text.
#include "fuzz_support.hpp"
#include "types/assignability.hpp"
#include "types/signature.hpp"
#include "types/type.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace {

using ork::host::Type;

std::optional<Type> resolve(std::string_view name) {
  if (name == "Item") return Type::object({{"sku", Type::string(), false}, {"qty", Type::integer(), true}}, "Item");
  if (name == "Order") {
    return Type::object({{"id", Type::integer(), false}, {"items", Type::list(*resolve("Item")), false}}, "Order");
  }
  return std::nullopt;
}

std::optional<Type> parse(std::string_view text) {
  try {
    return ork::host::parse_type(text, resolve);
  } catch (const ork::host::TypeError& e) {
    ORK_FUZZ_CHECK(e.column() >= 0 && static_cast<std::size_t>(e.column()) <= text.size() + 1);
    ORK_FUZZ_CHECK(!e.describe().empty());
    return std::nullopt;
  }
}

bool same_structure(const Type& a, const Type& b) {
  return ork::host::is_assignable(a, b).ok && ork::host::is_assignable(b, a).ok;
}

// `names_known`: every named type in `type` is one `resolve` knows, so its
// printed form (which shows names) parses back.
void check_type(const Type& type, bool names_known) {
  std::string printed = type.to_string();
  if (names_known) {
    std::optional<Type> reparsed = parse(printed);
    ORK_FUZZ_CHECK(reparsed.has_value());
    ORK_FUZZ_CHECK(*reparsed == type);
  }
  std::optional<Type> structural = parse(type.to_structural_string());
  ORK_FUZZ_CHECK(structural.has_value());
  ORK_FUZZ_CHECK(same_structure(*structural, type));
  ORK_FUZZ_CHECK(ork::host::is_assignable(type, type).ok);
  ORK_FUZZ_CHECK(ork::host::is_assignable(type, Type::optional(type)).ok);
  try {
    Type from_json = ork::host::parse_type_json(type.to_json(), resolve);
    ORK_FUZZ_CHECK(same_structure(from_json, type));
  } catch (const ork::host::TypeError& e) {
    std::fprintf(stderr, "to_json of %s does not parse back: %s\n", printed.c_str(), e.what());
    ork::fuzz::property_failed("to_json parses back", __FILE__, __LINE__);
  }
}

void check_pair(const Type& from, const Type& to) {
  ork::host::Assignability fit = ork::host::is_assignable(from, to);
  ORK_FUZZ_CHECK(fit.ok == fit.reason.empty());
  (void)ork::host::type_at_path(from, {"0", "id", "items"}, "task");
}

void check_json_forms(std::string_view text) {
  boost::system::error_code error;
  boost::json::value json = boost::json::parse(text, error);
  if (!error) {
    try {
      check_type(ork::host::parse_type_json(json, resolve), false);
    } catch (const ork::host::TypeError&) {
    }
    (void)ork::host::infer_type(json).to_string();
  }
  try {
    ork::host::Signature signature = ork::host::parse_signature_json(text, resolve);
    (void)boost::json::serialize(signature.to_json());
    for (const auto& [name, type] : signature.inputs) check_type(type, false);
    check_type(signature.output, false);
  } catch (const ork::host::TypeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [first, rest] = ork::fuzz::first_line(ork::fuzz::as_text(data, size));
  std::optional<Type> a = parse(first);
  if (a) check_type(*a, true);
  std::optional<Type> b = parse(rest);
  if (b) check_type(*b, true);
  if (a && b) {
    check_pair(*a, *b);
    check_pair(*b, *a);
  }
  check_json_forms(rest);
  return 0;
}
