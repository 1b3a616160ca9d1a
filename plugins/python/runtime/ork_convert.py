"""Converts a task's decoded JSON input values into its function's annotated types (DESIGN §3).

Part of the python executor's worker runtime, compiled into ork-python-worker;
ork_bind imports it for a parameter whose annotation needs more than JSON
gives. Values are converted where that is unambiguous: dataclass / Pydantic /
NamedTuple instances from JSON objects (also inside lists, dicts and
Optionals), date and datetime from ISO strings, tuples from lists, Enum
members from their values.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
from typing import Any, Union

from ork_introspect import object_fields, object_kind, strip_wrappers

_PASSTHROUGH: frozenset[Any] = frozenset({Any, int, str, bool, type(None), None})


def convert(value: Any, annotation: Any) -> Any:
    """`value` (decoded JSON) converted into `annotation` where unambiguous, else unchanged."""
    annotation = strip_wrappers(annotation)
    if value is None or annotation in _PASSTHROUGH:
        return value
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Union or origin is types.UnionType:
        members = [arg for arg in args if arg is not type(None)]
        return convert(value, members[0]) if len(members) == 1 else value
    if isinstance(value, str):
        return _from_string(value, annotation)
    if isinstance(value, list):
        return _from_list(value, annotation, origin, args)
    if isinstance(value, dict):
        return _from_object(value, annotation, origin, args)
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation(value)
    return value


def _from_string(value: str, annotation: Any) -> Any:
    if annotation is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if annotation is datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return datetime.datetime.fromisoformat(value).date()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation(value)
    return value


def _from_list(value: list[Any], annotation: Any, origin: Any, args: tuple[Any, ...]) -> Any:
    if annotation is tuple:
        return tuple(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(convert(item, args[0]) for item in value)
        if args and args != ((),):
            if len(args) != len(value):
                raise ValueError(f"expected {len(args)} items, got {len(value)}")
            return tuple(convert(item, arg) for item, arg in zip(value, args))
        return tuple(value)
    if args and origin is not None and origin is not dict:
        return [convert(item, args[0]) for item in value]
    return value


def _from_object(value: dict[str, Any], annotation: Any, origin: Any, args: tuple[Any, ...]) -> Any:
    if origin is not None and len(args) == 2 and origin is not tuple:
        return {key: convert(item, args[1]) for key, item in value.items()}
    kind = object_kind(annotation)
    if kind is None:
        return value
    if kind == "pydantic2":
        return annotation.model_validate(value)
    if kind == "pydantic1":
        return annotation.parse_obj(value)
    fields = object_fields(annotation)
    if kind == "typeddict":
        return {key: convert(item, fields[key][0]) if key in fields else item for key, item in value.items()}
    init_names = (
        {f.name for f in dataclasses.fields(annotation) if f.init} if kind == "dataclass" else set(fields)
    )
    # Extra keys are dropped: ork's type checker lets an upstream object carry more fields than the target needs.
    return annotation(
        **{key: convert(value[key], fields[key][0]) for key in fields if key in value and key in init_names}
    )
