"""Binds a task's input object to its function's keyword arguments (DESIGN §3).

Part of the python executor's worker runtime, compiled into ork-python-worker.
The input object is {<explicit inputs>..., "upstream": {task: output}}. Each
parameter takes, in order: the explicit input of its name, the whole output of
the direct upstream task of its name, all upstream outputs when it is named
`upstream`, or its default. A function whose only parameter is an object type
and is not bound by name receives the whole input built into that type, its
fields bound by the same rules. Values are converted into the annotated types
where that is unambiguous: dataclass / Pydantic / NamedTuple instances from
JSON objects (also inside lists, dicts and Optionals), date and datetime from
ISO strings, tuples from lists, Enum members from their values.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import types
import typing
from typing import Any, Callable, Union

from ork_introspect import object_fields, object_kind, strip_wrappers

_PASSTHROUGH: frozenset[Any] = frozenset({Any, int, str, bool, type(None), None})


class BindingError(Exception):
    """The input cannot be bound to the function's parameters; phrased for the user."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One parameter of a task function, resolved once per imported function."""

    name: str
    annotation: Any
    has_default: bool
    needs_conversion: bool


@dataclasses.dataclass(frozen=True)
class CallPlan:
    """How to call one task function; computed once per (module version, function)."""

    function_name: str
    parameters: tuple[Parameter, ...]


def plan_call(function: Callable[..., Any], function_name: str) -> CallPlan:
    """Resolves the function's parameters and annotations for `bind_arguments`."""
    hints = typing.get_type_hints(function)
    parameters = tuple(
        Parameter(
            name=parameter.name,
            annotation=hints.get(parameter.name, Any),
            has_default=parameter.default is not inspect.Parameter.empty,
            needs_conversion=strip_wrappers(hints.get(parameter.name, Any)) not in _PASSTHROUGH,
        )
        for parameter in inspect.signature(function).parameters.values()
    )
    return CallPlan(function_name, parameters)


def bind_arguments(plan: CallPlan, task_input: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for one call; raises BindingError."""
    upstream = task_input.get("upstream")
    if not isinstance(upstream, dict):
        upstream = {}
    arguments: dict[str, Any] = {}
    unbound: list[Parameter] = []
    for parameter in plan.parameters:
        found, value = _lookup(parameter.name, task_input, upstream)
        if found:
            arguments[parameter.name] = (
                _convert_argument(value, parameter.annotation, parameter.name) if parameter.needs_conversion else value
            )
        elif not parameter.has_default:
            unbound.append(parameter)
    if not unbound:
        return arguments
    only = plan.parameters[0]
    if len(plan.parameters) == 1 and object_kind(strip_wrappers(only.annotation)) is not None:
        return {only.name: _whole_input(only, task_input, upstream)}
    names = ", ".join(f"'{p.name}'" for p in unbound)
    raise BindingError(
        f"function '{plan.function_name}' parameter(s) {names} are not bound: no input of that name, "
        "no direct upstream task of that name, and no default"
    )


def _lookup(name: str, task_input: dict[str, Any], upstream: dict[str, Any]) -> tuple[bool, Any]:
    if name != "upstream" and name in task_input:
        return True, task_input[name]
    if name in upstream:
        return True, upstream[name]
    if name == "upstream":
        return True, upstream
    return False, None


def _whole_input(parameter: Parameter, task_input: dict[str, Any], upstream: dict[str, Any]) -> Any:
    """The single object parameter: the explicit inputs, plus its fields bound by upstream name."""
    cls = strip_wrappers(parameter.annotation)
    whole = {key: value for key, value in task_input.items() if key != "upstream"}
    for field in object_fields(cls):
        if field not in whole:
            found, value = _lookup(field, task_input, upstream)
            if found:
                whole[field] = value
    return _convert_argument(whole, cls, parameter.name)


def _convert_argument(value: Any, annotation: Any, name: str) -> Any:
    try:
        return convert(value, annotation)
    except Exception as error:
        raise BindingError(
            f"cannot convert input '{name}' to {inspect.formatannotation(annotation)}: "
            f"{type(error).__name__}: {error}"
        ) from error


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
