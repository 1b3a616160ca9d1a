"""Turns a task function's return value into JSON-compatible data, as ork's
python executor does: dataclass, Pydantic model (v1 and v2), TypedDict/dict,
NamedTuple (an object of its fields), list/tuple, date/datetime (ISO 8601),
Enum (its value), None, int/float/str/bool, nested. Anything else, a
non-string dict key or a NaN/infinite float is a SerialisationError naming
the type and where it sits in the value.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import math
from typing import Any, Dict


class SerialisationError(Exception):
    """The return value holds something JSON cannot represent; phrased for the user."""


def to_json_data(value: Any, path: str = "") -> Any:
    """`value` as plain dicts, lists, strings, numbers, booleans and None."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return to_json_data(value.value, path)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _finite(value, path)
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json_data(getattr(value, field.name), _member(path, field.name))
                for field in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: to_json_data(item, _member(path, name)) for name, item in zip(value._fields, value)}
    if isinstance(value, dict):
        return _mapping(value, path)
    if isinstance(value, (list, tuple)):
        return [to_json_data(item, f"{path}[{index}]") for index, item in enumerate(value)]
    model_data = _pydantic_data(value)
    if model_data is not None:
        return _mapping(model_data, path)
    cls = type(value)
    raise SerialisationError(
        f"cannot serialise a value of type '{cls.__name__}' ({cls.__module__}.{cls.__qualname__}) "
        f"at {_where(path)}; return a dataclass, dict, list, str, int, float, bool, None, date, "
        "datetime, Enum, NamedTuple or Pydantic model"
    )


def _finite(value: float, path: str) -> float:
    if math.isnan(value) or math.isinf(value):
        raise SerialisationError(f"cannot serialise the float {value} at {_where(path)}: JSON has no NaN or Infinity")
    return float(value)


def _mapping(value: Dict[Any, Any], path: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(key, enum.Enum) and isinstance(key.value, str):
            key = key.value
        if not isinstance(key, str):
            raise SerialisationError(
                f"cannot serialise the dict key {key!r} ({type(key).__name__}) at {_where(path)}: "
                "JSON object keys are strings"
            )
        result[key] = to_json_data(item, _member(path, key))
    return result


def _pydantic_data(value: Any) -> Dict[str, Any] | None:
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump) and hasattr(type(value), "model_fields"):
        data: Dict[str, Any] = model_dump(mode="json")
        return data
    as_dict = getattr(value, "dict", None)
    if callable(as_dict) and hasattr(type(value), "__fields__") and hasattr(type(value), "parse_obj"):
        legacy: Dict[str, Any] = as_dict()
        return legacy
    return None


def _member(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _where(path: str) -> str:
    return f"'{path}' in the return value" if path else "the top of the return value"

