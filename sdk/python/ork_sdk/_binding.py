"""Binds a task's input object to its function's parameters, converting and
type-checking each value against its annotation.

The input object is {<explicit inputs>..., "upstream": {task: output}}. Each
parameter takes, in order (the rules of ork's python executor, DESIGN §3):
the explicit input of its name, the whole output of the direct upstream task
of its name, all upstream outputs when it is named `upstream`, or its
default. A function whose only parameter is an object type (dataclass,
TypedDict, NamedTuple, Pydantic model) and is not bound by name receives the
whole input built into that type, its fields bound by the same rules.

Unlike the python executor, which trusts ork's compile-time type check, a
process task may be fed anything, so every value is checked: a mismatch is
an InputError naming the parameter (or field) path and both types.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import enum
import inspect
import json
import typing
from typing import Any, Callable, Dict, List, Mapping, NoReturn, Optional, Tuple, Type

from ork_sdk._types import (
    definition_site,
    describe_annotation,
    is_union,
    object_fields,
    object_kind,
    resolved_hints,
    strip_wrappers,
)

_UPSTREAM = "upstream"
_PREVIEW_CHARS = 40
_SEQUENCE_ORIGINS: Tuple[Any, ...] = (list, collections.abc.Sequence, collections.abc.MutableSequence)
_MAPPING_ORIGINS: Tuple[Any, ...] = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


class InputError(Exception):
    """The input does not fit the function's parameters; the message is shown to the user as is."""


@dataclasses.dataclass(frozen=True)
class _Path:
    """Where a value sits, for messages: parameter "order.items[2]", or field "id" of the whole input."""

    kind: str  # "parameter", or "field" inside the whole-input object
    text: str  # "" is the whole input itself

    def index(self, position: int) -> _Path:
        return _Path(self.kind, f"{self.text}[{position}]")

    def member(self, name: str) -> _Path:
        return _Path(self.kind, f"{self.text}.{name}" if self.text else name)

    def label(self) -> str:
        return f'{self.kind} "{self.text}"' if self.text else "the input"


def bind_arguments(function: Callable[..., Any], task_input: Mapping[str, Any]) -> Dict[str, Any]:
    """The keyword arguments to call `function` with; raises InputError.

    Raises SignatureError (from ork_sdk) when the annotations cannot be resolved.
    """
    name = getattr(function, "__name__", repr(function))
    hints = resolved_hints(function, name, definition_site(function))
    parameters = [
        parameter
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    upstream = task_input.get(_UPSTREAM)
    upstream_outputs: Mapping[str, Any] = upstream if isinstance(upstream, dict) else {}
    arguments: Dict[str, Any] = {}
    unbound: List[inspect.Parameter] = []
    for parameter in parameters:
        found, value = _lookup(parameter.name, task_input, upstream_outputs)
        annotation = hints.get(parameter.name, Any)
        if found:
            arguments[parameter.name] = convert(value, annotation, _Path("parameter", parameter.name))
        elif parameter.default is inspect.Parameter.empty:
            unbound.append(parameter)
    if not unbound:
        return arguments
    only = parameters[0]
    if len(parameters) == 1 and object_kind(strip_wrappers(hints.get(only.name, Any))) is not None:
        return {only.name: _whole_input(strip_wrappers(hints[only.name]), task_input, upstream_outputs)}
    names = ", ".join(f'"{parameter.name}"' for parameter in unbound)
    raise InputError(
        f"missing input for parameter(s) {names} of function '{name}': no input of that name, "
        "no direct upstream task of that name, and no default"
    )


def _lookup(name: str, task_input: Mapping[str, Any], upstream: Mapping[str, Any]) -> Tuple[bool, Any]:
    if name != _UPSTREAM and name in task_input:
        return True, task_input[name]
    if name in upstream:
        return True, upstream[name]
    if name == _UPSTREAM:
        return True, upstream
    return False, None


def _whole_input(cls: type, task_input: Mapping[str, Any], upstream: Mapping[str, Any]) -> Any:
    """The single object parameter: the explicit inputs, plus its fields bound by upstream name."""
    whole = {key: value for key, value in task_input.items() if key != _UPSTREAM}
    for field in object_fields(cls):
        if field not in whole:
            found, value = _lookup(field, task_input, upstream)
            if found:
                whole[field] = value
    return convert(whole, cls, _Path("field", ""))


def convert(value: Any, annotation: Any, path: _Path) -> Any:
    """`value` (decoded JSON) as an instance of `annotation`; raises InputError naming `path`."""
    annotation = strip_wrappers(annotation)
    if annotation is Any or isinstance(annotation, typing.TypeVar):
        return value
    if annotation is None or annotation is type(None):
        return value if value is None else _mismatch(annotation, value, path)
    origin = typing.get_origin(annotation)
    if is_union(origin):
        return _convert_union(value, annotation, typing.get_args(annotation), path)
    if origin is typing.Literal:
        return _convert_literal(value, typing.get_args(annotation), path)
    if origin is not None:
        return _convert_generic(value, annotation, origin, typing.get_args(annotation), path)
    if isinstance(annotation, type):
        return _convert_class(value, annotation, path)
    return value  # an annotation ork has no type for; `--ork-signature` refuses it


def _convert_union(value: Any, annotation: Any, members: Tuple[Any, ...], path: _Path) -> Any:
    if value is None and type(None) in members:
        return None
    candidates = [member for member in members if member is not type(None)]
    if len(candidates) == 1:
        try:
            return convert(value, candidates[0], path)
        except InputError:
            if isinstance(value, (list, dict)):  # `T | None` given a T with a wrong part: say which part
                raise
            return _mismatch(annotation, value, path)
    for member in candidates:
        try:
            return convert(value, member, path)
        except InputError:
            continue
    return _mismatch(annotation, value, path)


def _convert_literal(value: Any, allowed: Tuple[Any, ...], path: _Path) -> Any:
    plain = [item.value if isinstance(item, enum.Enum) else item for item in allowed]
    for item, raw in zip(allowed, plain):
        if type(raw) is type(value) and raw == value:  # 1 == True in Python, not in JSON
            return item
    choices = ", ".join(json.dumps(item) for item in plain)
    raise InputError(f"{path.label()}: expected one of {choices}, got {describe_value(value)}")


def _convert_generic(value: Any, annotation: Any, origin: Any, args: Tuple[Any, ...], path: _Path) -> Any:
    if origin in _SEQUENCE_ORIGINS:
        if not isinstance(value, list):
            return _mismatch(annotation, value, path)
        return [convert(item, args[0], path.index(index)) for index, item in enumerate(value)] if args else value
    if origin is tuple:
        return _convert_tuple(value, annotation, args, path)
    if origin in _MAPPING_ORIGINS:
        if not isinstance(value, dict):
            return _mismatch(annotation, value, path)
        if len(args) != 2:
            return value
        return {key: convert(item, args[1], path.member(key)) for key, item in value.items()}
    return value


def _convert_tuple(value: Any, annotation: Any, args: Tuple[Any, ...], path: _Path) -> Any:
    if not isinstance(value, list):
        return _mismatch(annotation, value, path)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(convert(item, args[0], path.index(index)) for index, item in enumerate(value))
    if not args or args == ((),):
        return tuple(value)
    if len(args) != len(value):
        raise InputError(
            f"{path.label()}: expected {describe_annotation(annotation)} ({len(args)} items), "
            f"got {describe_value(value)}"
        )
    return tuple(convert(item, arg, path.index(index)) for index, (item, arg) in enumerate(zip(value, args)))


def _convert_class(value: Any, cls: type, path: _Path) -> Any:
    if cls is bool:
        return value if isinstance(value, bool) else _mismatch(cls, value, path)
    if cls is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _mismatch(cls, value, path)
    if cls is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return _mismatch(cls, value, path)
    if cls is str:
        return value if isinstance(value, str) else _mismatch(cls, value, path)
    if cls is datetime.datetime or cls is datetime.date:
        return _convert_time(value, cls, path)
    if issubclass(cls, enum.Enum):
        return _convert_enum(value, cls, path)
    if cls in (list, tuple, dict):
        if not isinstance(value, dict if cls is dict else list):
            return _mismatch(cls, value, path)
        return tuple(value) if cls is tuple else value
    if object_kind(cls) is not None:
        return _convert_object(value, cls, path)
    return value


def _convert_time(value: Any, cls: type, path: _Path) -> Any:
    if not isinstance(value, str):
        return _mismatch(cls, value, path)
    # Python < 3.11 fromisoformat() rejects the "Z" suffix JSON producers use.
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        if cls is datetime.datetime:
            return datetime.datetime.fromisoformat(text)
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return datetime.datetime.fromisoformat(text).date()
    except ValueError:
        kind = "datetime" if cls is datetime.datetime else "date"
        raise InputError(
            f"{path.label()}: expected {kind} (an ISO 8601 string), got {describe_value(value)}"
        ) from None


def _convert_enum(value: Any, cls: Type[enum.Enum], path: _Path) -> Any:
    members: List[enum.Enum] = list(cls)
    for member in members:
        if type(member.value) is type(value) and member.value == value:
            return member
    choices = ", ".join(json.dumps(member.value) for member in members)
    raise InputError(f"{path.label()}: expected one of {choices} ({cls.__name__}), got {describe_value(value)}")


def _convert_object(value: Any, cls: type, path: _Path) -> Any:
    if not isinstance(value, dict):
        return _mismatch(cls, value, path)
    kind = object_kind(cls)
    if kind in ("pydantic2", "pydantic1"):
        return _validate_pydantic(value, cls, kind, path)
    fields = object_fields(cls)
    for name, (_, required) in fields.items():
        if required and name not in value:
            raise InputError(f'missing field "{path.member(name).text}"')
    converted = {
        name: convert(value[name], annotation, path.member(name))
        for name, (annotation, _) in fields.items()
        if name in value
    }
    if kind == "typeddict":
        # A TypedDict is a dict: keys it does not declare pass through.
        return {**value, **converted}
    # Extra keys are dropped: an upstream object may carry more fields than the target needs.
    return cls(**converted)


def _validate_pydantic(value: Dict[str, Any], cls: type, kind: Optional[str], path: _Path) -> Any:
    try:
        if kind == "pydantic2":
            return getattr(cls, "model_validate")(value)
        return getattr(cls, "parse_obj")(value)
    except Exception as error:  # pydantic's ValidationError, whichever version
        raise InputError(f"{path.label()} is not a valid {cls.__name__}: {error}") from None


def _mismatch(annotation: Any, value: Any, path: _Path) -> NoReturn:
    expected = describe_annotation(annotation)
    if not path.text:
        raise InputError(f"the input must be {expected}, got {describe_value(value)}")
    raise InputError(f"{path.label()}: expected {expected}, got {describe_value(value)}")


def describe_value(value: Any) -> str:
    """The JSON value's ork type, with a short preview of scalars: `str "abc"`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"bool {json.dumps(value)}"
    if isinstance(value, (int, float)):
        return f"{'int' if isinstance(value, int) else 'float'} {json.dumps(value)}"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return f"str {text if len(text) <= _PREVIEW_CHARS else text[:_PREVIEW_CHARS - 1] + '…'}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
