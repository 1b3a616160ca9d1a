"""Serialises a task function's return value to JSON text (DESIGN §5).

Part of the python executor's worker runtime, compiled into ork-python-worker.
Handled: None, bool, int, finite float, str, list/tuple, dict with str keys,
dataclass, NamedTuple (an object of its fields), TypedDict (a dict), Pydantic
v1 (.dict()) and v2 (.model_dump(mode="json")), date/datetime/time (ISO 8601),
Enum (its value), nested in any way. Anything else fails with the type's name
and the path to it, e.g. "at path rows[3].when".

On the path of every task run, so it imports no standard module for types a
result may hold: a date, an Enum or a dataclass instance exists only once its
module (datetime, enum, dataclasses) is imported, so that module is looked up
in sys.modules when needed; a result of plain data imports none of them.
"""

from __future__ import annotations

import math
import sys

from ork_json import dumps_compact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

_SCALARS: frozenset[type] = frozenset({str, int, bool, type(None)})

# How deeply lists and dicts may nest in a result: ORK_MAX_JSON_DEPTH from
# ork/limits.h, set in this module's globals by ork-python-worker before it
# runs. A deeper result fails the task here, not later as a string in the store.
MAX_DEPTH: int = globals()["ORK_MAX_JSON_DEPTH"]

# to_plain recurses through three frames per level, and json.dumps once more.
_FRAMES_NEEDED = 4 * MAX_DEPTH + 500


class SerialiseError(Exception):
    """The return value has no JSON form; phrased for the user."""


def to_json_text(value: Any) -> str:
    """One line of JSON text for `value`; raises SerialiseError."""
    if sys.getrecursionlimit() < _FRAMES_NEEDED:
        sys.setrecursionlimit(_FRAMES_NEEDED)
    plain = to_plain(value, "")
    try:
        return dumps_compact(plain)
    except ValueError as error:  # unreachable while to_plain refuses NaN; kept as the last guard
        raise SerialiseError(f"cannot serialise return value: {error}") from error


def to_plain(value: Any, path: str, depth: int = 0) -> Any:
    """`value` as plain JSON-compatible Python data (dict, list, str, int, float, bool, None).

    `depth` counts the lists and dicts around `value`.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        return _finite(value, path)
    if kind is list or kind is tuple:
        return _sequence(value, path, _inside(depth, path))
    if kind is dict:
        return _mapping(value, path, _inside(depth, path))
    return _other(value, path, depth)


def _inside(depth: int, path: str) -> int:
    """The depth inside one more list or dict; refuses to pass MAX_DEPTH (the path would be too long to show)."""
    if depth >= MAX_DEPTH:
        raise SerialiseError(
            f"output nests deeper than {MAX_DEPTH} levels (arrays and objects inside one another); "
            "flatten it, or write it to a file and return the file's path"
        )
    return depth + 1


def _finite(value: float, path: str) -> float:
    if not math.isfinite(value):
        raise SerialiseError(
            f"cannot serialise return value {value!r}{_at(path)}: JSON has no NaN or Infinity; "
            "return None or a string instead"
        )
    return value


def _sequence(value: list[Any] | tuple[Any, ...], path: str, depth: int) -> list[Any]:
    # Plain scalars are the common case in big outputs; skip the recursive call for them.
    return [
        item if type(item) in _SCALARS else to_plain(item, f"{path}[{index}]", depth)
        for index, item in enumerate(value)
    ]


def _mapping(value: Mapping[Any, Any], path: str, depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in value.items():
        name = _key(key, path)
        result[name] = item if type(item) in _SCALARS else to_plain(item, f"{path}.{name}" if path else name, depth)
    return result


def _key(key: Any, path: str) -> str:
    if isinstance(key, str):
        return str(key)
    enum = sys.modules.get("enum")
    if enum is not None and isinstance(key, enum.Enum) and isinstance(key.value, str):
        return key.value
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)  # as json.dumps does
    raise SerialiseError(
        f"cannot serialise a dict key of type '{type(key).__name__}'{_at(path)}: JSON object keys are strings"
    )


def _other(value: Any, path: str, depth: int) -> Any:
    enum = sys.modules.get("enum")
    if enum is not None and isinstance(value, enum.Enum):
        return to_plain(value.value, path, depth)
    datetime = sys.modules.get("datetime")
    if datetime is not None and isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, (str, int)):
        return str(value) if isinstance(value, str) else int(value)
    if isinstance(value, float):
        return _finite(float(value), path)
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        inside = _inside(depth, path)
        return {
            field.name: to_plain(getattr(value, field.name), _join(path, field.name), inside)
            for field in dataclasses.fields(value)
        }
    if isinstance(value, tuple) and hasattr(type(value), "_fields"):
        inside = _inside(depth, path)
        return {
            name: to_plain(item, _join(path, name), inside) for name, item in zip(getattr(value, "_fields"), value)
        }
    if hasattr(value, "model_dump") and hasattr(type(value), "model_fields"):
        return to_plain(value.model_dump(mode="json"), path, depth)
    if hasattr(value, "dict") and hasattr(type(value), "__fields__"):
        return to_plain(value.dict(), path, depth)
    from collections.abc import Mapping  # reached only by a value of no type above

    if isinstance(value, Mapping):
        return _mapping(value, path, _inside(depth, path))
    if isinstance(value, (list, tuple)):
        return _sequence(value, path, _inside(depth, path))
    kind = type(value)
    raise SerialiseError(
        f"cannot serialise return value of type '{kind.__name__}' ({kind.__module__}.{kind.__qualname__}){_at(path)}; "
        "return JSON-like data, a dataclass, a NamedTuple, a TypedDict, a Pydantic model, a date or an Enum"
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _at(path: str) -> str:
    return f" at path {path}" if path else ""
