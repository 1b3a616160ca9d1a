#include "types/assignability.hpp"

#include <algorithm>
#include <charconv>

namespace ork::host {

namespace {

// Where inside the compared values a mismatch is: field names, plus "[]" for
// a list item or dict value and "[i]" for a tuple element.
struct Mismatch {
  std::vector<std::string> path;
  std::string message;
  bool plain = false;
};

std::optional<Mismatch> check(const Type& from, const Type& to);
std::string render_path(const std::vector<std::string>& path);

}  // namespace

Assignability is_assignable(const Type& from, const Type& to) {
  std::optional<Mismatch> mismatch = check(from, to);
  if (!mismatch) return {};
  Assignability result;
  result.ok = false;
  if (mismatch->path.empty()) {
    result.reason = mismatch->message;
    result.plain = mismatch->plain;
  } else {
    std::string path = render_path(mismatch->path);
    result.reason = (path.front() == '[' ? "at \"" : "field \"") + path + "\": " + mismatch->message;
  }
  return result;
}

namespace {

Mismatch plain_mismatch(const Type& from, const Type& to) {
  return Mismatch{{}, from.to_string() + " does not fit " + to.to_string(), true};
}

std::optional<Mismatch> check_from_union(const Type& from, const Type& to);
std::optional<Mismatch> check_to_union(const Type& from, const Type& to);
std::optional<Mismatch> check_to_list(const Type& from, const Type& to);
std::optional<Mismatch> check_to_dict(const Type& from, const Type& to);
std::optional<Mismatch> check_to_tuple(const Type& from, const Type& to);
std::optional<Mismatch> check_to_object(const Type& from, const Type& to);
std::optional<Mismatch> check_datetime(const Type& from, const Type& to);
std::optional<Mismatch> check_inside(const Type& from, const Type& to, const Type& outer_from,
                                     const Type& outer_to, const std::string& segment);

std::optional<Mismatch> check(const Type& from, const Type& to) {
  if (from.is_any() || to.is_any()) return std::nullopt;
  if (from.kind() == TypeKind::union_) return check_from_union(from, to);
  if (to.kind() == TypeKind::union_) return check_to_union(from, to);
  switch (to.kind()) {
    case TypeKind::list: return check_to_list(from, to);
    case TypeKind::dict: return check_to_dict(from, to);
    case TypeKind::tuple: return check_to_tuple(from, to);
    case TypeKind::object: return check_to_object(from, to);
    case TypeKind::number:
      if (from.kind() == TypeKind::integer) return std::nullopt;
      break;
    case TypeKind::datetime:
    case TypeKind::datetime_notz:
    case TypeKind::datetime_tz:
    case TypeKind::datetime_utc: return check_datetime(from, to);
    default: break;
  }
  // Only primitives are left here: they fit when they are the same.
  if (from.kind() == to.kind()) return std::nullopt;
  return plain_mismatch(from, to);
}

std::optional<Mismatch> check_from_union(const Type& from, const Type& to) {
  for (const Type& member : from.items()) {
    std::optional<Mismatch> mismatch = check(member, to);
    if (!mismatch) continue;
    if (member.kind() == TypeKind::null) {
      return Mismatch{{}, from.to_string() + " does not fit " + to.to_string() + ": the value may be None", false};
    }
    if (!mismatch->path.empty()) return mismatch;
    return plain_mismatch(from, to);
  }
  return std::nullopt;
}

std::optional<Mismatch> check_to_union(const Type& from, const Type& to) {
  // With one real alternative (`T | None`), the reason against T is the useful
  // one. It is kept from the loop, not checked again: checking twice per
  // level would make nested optionals cost 2^depth.
  Type target = to.without_null();
  std::optional<Mismatch> against_target;
  for (const Type& member : to.items()) {
    std::optional<Mismatch> mismatch = check(from, member);
    if (!mismatch) return std::nullopt;
    if (member == target) against_target = std::move(mismatch);
  }
  if (target.kind() != TypeKind::union_ && from.kind() != TypeKind::null && against_target && !against_target->plain) {
    return against_target;
  }
  return plain_mismatch(from, to);
}

// The datetime family (docs/types.md, "Dates and times"): `datetime` says
// nothing about a time zone, so every datetime fits it; `datetime_utc` is a
// `datetime_tz`; nothing else crosses, above all never an aware value into a
// naive place or back, where the clock time would be read in the wrong zone.
std::optional<Mismatch> check_datetime(const Type& from, const Type& to) {
  TypeKind source = from.kind();
  TypeKind target = to.kind();
  bool from_datetime = source == TypeKind::datetime || source == TypeKind::datetime_notz ||
                       source == TypeKind::datetime_tz || source == TypeKind::datetime_utc;
  if (!from_datetime) return plain_mismatch(from, to);
  if (source == target || target == TypeKind::datetime) return std::nullopt;
  if (source == TypeKind::datetime_utc && target == TypeKind::datetime_tz) return std::nullopt;
  std::string why;
  if (source == TypeKind::datetime) {
    why = "a datetime may or may not carry a time zone; declare the upstream output as " + to.to_string();
  } else if (target == TypeKind::datetime_notz) {
    why = "a time-zone-aware datetime does not silently become a naive one; convert it in the upstream task";
  } else if (source == TypeKind::datetime_notz) {
    why = "a naive datetime has no time zone to give; attach one in the upstream task";
  } else {
    why = "a datetime_tz may have any offset, not only UTC (Z); convert it to UTC in the upstream task";
  }
  return Mismatch{{}, from.to_string() + " does not fit " + to.to_string() + ": " + why, false};
}

std::optional<Mismatch> check_to_list(const Type& from, const Type& to) {
  if (from.kind() == TypeKind::list || (from.kind() == TypeKind::tuple && from.variadic())) {
    return check_inside(from.item(), to.item(), from, to, "[]");
  }
  if (from.kind() == TypeKind::tuple) {
    for (std::size_t i = 0; i < from.items().size(); ++i) {
      if (auto mismatch = check_inside(from.items()[i], to.item(), from, to, "[" + std::to_string(i) + "]")) {
        return mismatch;
      }
    }
    return std::nullopt;
  }
  return plain_mismatch(from, to);
}

std::optional<Mismatch> check_to_dict(const Type& from, const Type& to) {
  if (from.kind() == TypeKind::dict) {
    if (check(from.key(), to.key())) return plain_mismatch(from, to);
    return check_inside(from.value(), to.value(), from, to, "[]");
  }
  if (from.kind() == TypeKind::object) {
    // A JSON object with known fields is a dict of its field values.
    if (check(Type::string(), to.key())) return plain_mismatch(from, to);
    for (const Field& field : from.fields()) {
      if (std::optional<Mismatch> mismatch = check(field.type, to.value())) {
        mismatch->path.insert(mismatch->path.begin(), field.name);
        return mismatch;
      }
    }
    return std::nullopt;
  }
  return plain_mismatch(from, to);
}

std::optional<Mismatch> check_to_tuple(const Type& from, const Type& to) {
  if (to.variadic()) {
    std::optional<Mismatch> mismatch = check_to_list(from, Type::list(to.item()));
    if (mismatch && mismatch->plain) return plain_mismatch(from, to);
    return mismatch;
  }
  if (from.kind() != TypeKind::tuple || from.variadic() || from.items().size() != to.items().size()) {
    return plain_mismatch(from, to);
  }
  for (std::size_t i = 0; i < to.items().size(); ++i) {
    if (auto mismatch = check_inside(from.items()[i], to.items()[i], from, to, "[" + std::to_string(i) + "]")) {
      return mismatch;
    }
  }
  return std::nullopt;
}

std::optional<Mismatch> check_to_object(const Type& from, const Type& to) {
  if (from.kind() != TypeKind::object) return plain_mismatch(from, to);
  for (const Field& wanted : to.fields()) {
    const Field* present = from.find_field(wanted.name);
    if (present == nullptr) {
      if (wanted.optional) continue;
      return Mismatch{{}, "missing field \"" + wanted.name + "\" (" + wanted.type.to_string() + ")", false};
    }
    if (present->optional && !wanted.optional) {
      return Mismatch{{wanted.name}, "may be missing (optional in " + from.to_string() + ", required in " +
                                         to.to_string() + ")",
                      false};
    }
    if (std::optional<Mismatch> mismatch = check(present->type, wanted.type)) {
      mismatch->path.insert(mismatch->path.begin(), wanted.name);
      return mismatch;
    }
  }
  return std::nullopt;
}

// An element mismatch that is only "A does not fit B" reads better at the
// container (`list[str] does not fit list[int]`); a deeper reason keeps its path.
std::optional<Mismatch> check_inside(const Type& from, const Type& to, const Type& outer_from,
                                     const Type& outer_to, const std::string& segment) {
  std::optional<Mismatch> mismatch = check(from, to);
  if (!mismatch) return std::nullopt;
  if (mismatch->plain && mismatch->path.empty()) return plain_mismatch(outer_from, outer_to);
  mismatch->path.insert(mismatch->path.begin(), segment);
  return mismatch;
}

std::string render_path(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& segment : path) {
    if (!out.empty() && segment.front() != '[') out += '.';
    out += segment;
  }
  return out;
}

}  // namespace

namespace {

PathLookup step_into(const Type& type, const std::string& segment, const std::string& where, bool top);
std::optional<std::size_t> parse_index(const std::string& segment);
std::string field_list(const Type& object);

}  // namespace

PathLookup type_at_path(const Type& type, const std::vector<std::string>& path, const std::string& owner) {
  Type current = type;
  std::string where = owner;
  for (std::size_t i = 0; i < path.size(); ++i) {
    PathLookup step = step_into(current, path[i], where, i == 0);
    if (!step.type) return step;
    current = *step.type;
    where += "." + path[i];
  }
  return PathLookup{current, {}};
}

namespace {

PathLookup step_into(const Type& type, const std::string& segment, const std::string& where, bool top) {
  std::string subject = top ? "the output of " + where : where;
  switch (type.kind()) {
    case TypeKind::any: return PathLookup{Type::any(), {}};
    case TypeKind::union_: {
      if (type.is_optional()) {
        return PathLookup{std::nullopt, subject + " may be None (its type is " + type.to_string() +
                                            "), so \"" + segment + "\" cannot be looked up in it"};
      }
      std::vector<Type> results;
      for (const Type& member : type.items()) {
        PathLookup step = step_into(member, segment, where, top);
        if (!step.type) return step;
        results.push_back(*step.type);
      }
      return PathLookup{Type::union_of(std::move(results)), {}};
    }
    case TypeKind::object: {
      if (const Field* field = type.find_field(segment)) {
        return PathLookup{field->optional ? Type::optional(field->type) : field->type, {}};
      }
      return PathLookup{std::nullopt, where + " has no " + (top ? "output field" : "field") + " \"" + segment +
                                          "\" (" + field_list(type) + ")"};
    }
    case TypeKind::list: {
      if (parse_index(segment)) return PathLookup{type.item(), {}};
      return PathLookup{std::nullopt, subject + " is " + type.to_string() + ", so \"" + segment +
                                          "\" must be an index such as 0"};
    }
    case TypeKind::tuple: {
      std::optional<std::size_t> index = parse_index(segment);
      if (!index) {
        return PathLookup{std::nullopt, subject + " is " + type.to_string() + ", so \"" + segment +
                                            "\" must be an index such as 0"};
      }
      if (type.variadic()) return PathLookup{type.item(), {}};
      if (*index < type.items().size()) return PathLookup{type.items()[*index], {}};
      return PathLookup{std::nullopt, subject + " is " + type.to_string() + " with " +
                                          std::to_string(type.items().size()) + " elements; index " + segment +
                                          " is out of range"};
    }
    case TypeKind::dict: return PathLookup{type.value(), {}};
    default:
      return PathLookup{std::nullopt,
                        subject + " is " + type.to_string() + ", which has no field \"" + segment + "\""};
  }
}

std::optional<std::size_t> parse_index(const std::string& segment) {
  std::size_t index = 0;
  auto [end, error] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
  if (error != std::errc() || end != segment.data() + segment.size()) return std::nullopt;
  return index;
}

std::string field_list(const Type& object) {
  if (object.fields().empty()) return "it has no fields";
  std::string out = "fields: ";
  for (std::size_t i = 0; i < object.fields().size(); ++i) {
    if (i > 0) out += ", ";
    out += object.fields()[i].name;
  }
  return out;
}

}  // namespace

}  // namespace ork::host
