#include "types/temporal.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace ork::host {
namespace {

// Why a small scanner and not a library: std::chrono::parse is missing from
// the libstdc++ ork builds with (GCC 12), and Boost.DateTime's string readers
// accept looser forms ("2024-May-01", "20240501") that Python's
// date.fromisoformat, which receives these values in the python executor,
// would refuse. The calendar check itself is std::chrono's.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<int> digits(std::size_t count) {
    if (text_.size() - at_ < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char c = text_[at_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    at_ += count;
    return value;
  }

  bool literal(char c) {
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }

  std::size_t skip_digits() {
    std::size_t start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ - start;
  }

  bool done() const { return at_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

bool scan_date(Scanner& scan);
bool scan_time(Scanner& scan);
bool scan_offset(Scanner& scan);
Type typed(const boost::json::value& value, const Type& target, const std::string& where, std::string& problem);

}  // namespace

bool is_iso_date(std::string_view text) {
  Scanner scan(text);
  return scan_date(scan) && scan.done();
}

bool is_iso_datetime(std::string_view text) {
  Scanner scan(text);
  return scan_date(scan) && scan.literal('T') && scan_time(scan) && scan_offset(scan) && scan.done();
}

bool is_iso_datetime_notz(std::string_view text) {
  Scanner scan(text);
  return scan_date(scan) && scan.literal('T') && scan_time(scan) && scan.done();
}

bool is_iso_datetime_tz(std::string_view text) {
  return is_iso_datetime(text) && !is_iso_datetime_notz(text);
}

bool is_iso_datetime_utc(std::string_view text) {
  return is_iso_datetime(text) && text.ends_with('Z');
}

GivenType type_of_given(const boost::json::value& value, const Type& target) {
  GivenType given;
  given.type = typed(value, target, "", given.problem);
  return given;
}

namespace {

bool scan_date(Scanner& scan) {
  std::optional<int> year = scan.digits(4);
  if (!year || !scan.literal('-')) return false;
  std::optional<int> month = scan.digits(2);
  if (!month || !scan.literal('-')) return false;
  std::optional<int> day = scan.digits(2);
  if (!day) return false;
  std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  return date.ok();
}

bool scan_time(Scanner& scan) {
  std::optional<int> hour = scan.digits(2);
  if (!hour || *hour > 23 || !scan.literal(':')) return false;
  std::optional<int> minute = scan.digits(2);
  if (!minute || *minute > 59 || !scan.literal(':')) return false;
  std::optional<int> second = scan.digits(2);
  if (!second || *second > 59) return false;
  if (scan.literal('.')) {
    std::size_t fraction = scan.skip_digits();
    if (fraction < 1 || fraction > 9) return false;
  }
  return true;
}

// Optional: `Z`, `+HH:MM` or `-HH:MM`.
bool scan_offset(Scanner& scan) {
  if (scan.literal('Z')) return true;
  if (!scan.literal('+') && !scan.literal('-')) return true;
  std::optional<int> hours = scan.digits(2);
  if (!hours || *hours > 23 || !scan.literal(':')) return false;
  std::optional<int> minutes = scan.digits(2);
  return minutes && *minutes <= 59;
}

// True when `type` is `kind`, or a union with a `kind` member.
bool accepts_kind(const Type& type, TypeKind kind) {
  if (type.kind() == kind) return true;
  if (type.kind() != TypeKind::union_) return false;
  for (const Type& member : type.items()) {
    if (member.kind() == kind) return true;
  }
  return false;
}

// The member of a union target a JSON array (or object) is checked against:
// the first list-like (or object-like) member; `target` itself otherwise.
Type container_target(const Type& target, bool array) {
  if (target.kind() != TypeKind::union_) return target;
  for (const Type& member : target.items()) {
    TypeKind kind = member.kind();
    bool fits = array ? kind == TypeKind::list || kind == TypeKind::tuple
                      : kind == TypeKind::object || kind == TypeKind::dict;
    if (fits) return member;
  }
  return target;
}

// Each temporal type with the text that is a value of it.
struct TemporalForm {
  TypeKind kind;
  bool (*matches)(std::string_view);
  std::string_view format;
};

const std::vector<TemporalForm>& temporal_forms() {
  static const std::vector<TemporalForm> forms{
      {TypeKind::date, &is_iso_date, iso_date_format},
      {TypeKind::datetime, &is_iso_datetime, iso_datetime_format},
      {TypeKind::datetime_notz, &is_iso_datetime_notz, iso_datetime_notz_format},
      {TypeKind::datetime_tz, &is_iso_datetime_tz, iso_datetime_tz_format},
      {TypeKind::datetime_utc, &is_iso_datetime_utc, iso_datetime_utc_format},
  };
  return forms;
}

Type temporal_type(TypeKind kind) {
  switch (kind) {
    case TypeKind::date: return Type::date();
    case TypeKind::datetime_notz: return Type::datetime_notz();
    case TypeKind::datetime_tz: return Type::datetime_tz();
    case TypeKind::datetime_utc: return Type::datetime_utc();
    default: return Type::datetime();
  }
}

Type typed_string(const std::string& text, const Type& target, const std::string& where, std::string& problem) {
  std::string names;
  std::string formats;
  for (const TemporalForm& form : temporal_forms()) {
    if (!accepts_kind(target, form.kind)) continue;
    if (form.matches(text)) return temporal_type(form.kind);
    names += (names.empty() ? "" : " or ") + temporal_type(form.kind).to_string();
    formats += (formats.empty() ? "" : " or ") + std::string(form.format);
  }
  if (!names.empty() && !accepts_kind(target, TypeKind::string) && !target.is_any() && problem.empty()) {
    problem = where + "\"" + text + "\" is not a " + names + ": write it as " + formats;
  }
  return Type::string();
}

Type typed(const boost::json::value& value, const Type& target, const std::string& where, std::string& problem) {
  if (target.is_any()) return infer_type(value);
  if (value.is_string()) return typed_string(std::string(value.get_string()), target, where, problem);
  if (value.is_array() && !value.get_array().empty()) {
    Type container = container_target(target, true);
    std::vector<Type> members;
    const boost::json::array& array = value.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      Type item;  // Any: nothing to read the item as
      if (container.kind() == TypeKind::list || (container.kind() == TypeKind::tuple && container.variadic())) {
        item = container.item();
      } else if (container.kind() == TypeKind::tuple && i < container.items().size()) {
        item = container.items()[i];
      }
      members.push_back(typed(array[i], item, where + "item " + std::to_string(i) + ": ", problem));
    }
    return Type::list(Type::union_of(std::move(members)));
  }
  if (value.is_object()) {
    Type container = container_target(target, false);
    std::vector<Field> fields;
    for (const auto& [key, item] : value.get_object()) {
      std::string name(key);
      Type field_target;
      if (container.kind() == TypeKind::dict) {
        field_target = container.value();
      } else if (const Field* field = container.kind() == TypeKind::object ? container.find_field(name) : nullptr) {
        field_target = field->type;
      }
      fields.push_back(Field{name, typed(item, field_target, where + "field \"" + name + "\": ", problem), false});
    }
    return Type::object(std::move(fields));
  }
  return infer_type(value);
}

}  // namespace
}  // namespace ork::host
