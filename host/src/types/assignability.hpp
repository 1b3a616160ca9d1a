// The two questions the workflow compiler asks of types: does an upstream
// value of type A fit a downstream parameter of type B (`is_assignable`, the
// rules of docs/types.md), and what is the type at a reference path such as
// `extract.rows.0.id` (`type_at_path`). Both answer with a reason a user can
// act on when the answer is no.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "types/type.hpp"

namespace ork::host {

struct Assignability {
  bool ok = true;
  // Why not, e.g. `field "rows": list[str] does not fit list[int]` or
  // `str | None does not fit str: the value may be None`. Empty when ok.
  std::string reason;
  // True when the reason is only "FROM does not fit TO" for the two types that
  // were compared: a caller that already prints both types can leave it out.
  bool plain = false;

  explicit operator bool() const { return ok; }
};

// Rules: primitives exact except int -> float; list/dict covariant; an object
// fits when every field the target requires is present with a fitting type
// (extra fields allowed; an optional target field, when present, must fit);
// an object fits dict[str, T] when every field fits T; T fits T | None but
// T | None does not fit T; a union fits when every member fits; a union
// target accepts what fits any member; Any fits and accepts everything; named
// types compare by structure; tuples element-wise (a fixed tuple fits a
// variadic tuple or list whose item every element fits; a variadic tuple and
// a list fit each other); date and datetime are not strings; every datetime
// fits `datetime`, `datetime_utc` fits `datetime_tz`, and no other datetime
// kinds cross (a time-zone-aware value never fits a naive one).
Assignability is_assignable(const Type& from, const Type& to);

struct PathLookup {
  std::optional<Type> type;  // set when found
  std::string error;         // why not, when not found
};

// The type at `path` inside `type`, a value produced by `owner` (e.g. the
// task name `extract`, used in messages: `extract has no output field "rowz"
// (fields: rows, count)`). Segments: an object field name; a list or tuple
// index (`0`); a dict key (any string, giving the dict's value type). Through
// Any gives Any. An optional field `f?: T` gives `T | None`. Through `T | None`
// is refused (the value may be None at run time); through a union of other
// types works when every member has the path, giving the union of the results.
PathLookup type_at_path(const Type& type, const std::vector<std::string>& path, const std::string& owner);

}  // namespace ork::host
