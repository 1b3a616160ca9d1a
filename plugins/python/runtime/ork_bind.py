"""Binds a task's input object to its function's keyword arguments (DESIGN §3).

Part of the python executor's worker runtime, compiled into ork-python-worker.
The input object is {<explicit inputs>..., "upstream": {task: output}}. Each
parameter takes, in order: the explicit input of its name, the whole output of
the direct upstream task of its name, all upstream outputs when it is named
`upstream`, or its default. A function whose only parameter is an object type
and is not bound by name receives the whole input built into that type, its
fields bound by the same rules. Values are converted into the annotated types
by ork_convert where that is unambiguous.

This module is on the path of every task run and imports no standard module:
a plain function whose parameters are annotated with int, str, bool, float or
None is planned from its code object and annotations alone, and its
signature (introspection, when a workflow compiles) is read the same way. Any
other function or annotation is planned with `inspect` and `typing`, and
converted with ork_convert, imported then; ork_introspect describes it.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

# Annotations whose values JSON already gives as they are (and typing.Any, in _resolved_parameters).
_PLAIN: tuple[Any, ...] = (int, str, bool, type(None), None)
# Annotation strings (`from __future__ import annotations`) naming these builtins.
_PLAIN_NAMES: dict[str, Any] = {"int": int, "str": str, "bool": bool, "float": float, "None": None}
# The ork type (docs/types.md) of each plain annotation, as ork_introspect maps it.
_ORK_TYPES: dict[Any, str] = {int: "int", str: "str", bool: "bool", float: "float", type(None): "null"}
_FUNCTION: type = type(lambda: None)
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08


class BindingError(Exception):
    """The input cannot be bound to the function's parameters; phrased for the user."""


class Parameter:
    """One parameter of a task function, resolved once per imported function."""

    __slots__ = ("name", "annotation", "has_default", "needs_conversion")

    def __init__(self, name: str, annotation: Any, has_default: bool, needs_conversion: bool) -> None:
        self.name = name
        self.annotation = annotation
        self.has_default = has_default
        self.needs_conversion = needs_conversion


class CallPlan:
    """How to call one task function; computed once per (module version, function)."""

    __slots__ = ("function_name", "parameters")

    def __init__(self, function_name: str, parameters: tuple[Parameter, ...]) -> None:
        self.function_name = function_name
        self.parameters = parameters


def plan_call(function: Callable[..., Any], function_name: str) -> CallPlan:
    """Resolves the function's parameters and annotations for `bind_arguments`."""
    parameters = _plain_parameters(function)
    if parameters is None:
        parameters = _resolved_parameters(function)
    return CallPlan(function_name, parameters)


def plain_signature(function: Callable[..., Any]) -> dict[str, Any] | None:
    """The signature JSON of a plain function, read as plan_call reads it; None for any other function.

    It is what ork_introspect.describe_function reports for the same function
    (same keys in the same order), without importing inspect, typing or
    dataclasses, so that a fresh workflow's introspection of a plain task
    costs no more imports than running it. The return annotation must be
    plain too; a function that lacks one is left to ork_introspect, which
    phrases the refusal.
    """
    parameters = _plain_parameters(function)
    if parameters is None or function.__code__.co_posonlyargcount:  # type: ignore[attr-defined]
        return None  # ork_introspect refuses a positional-only parameter
    output = _plain_annotation(function.__annotations__.get("return", _NOT_PLAIN), function.__globals__)  # type: ignore[attr-defined]
    if output is _NOT_PLAIN:
        return None
    signature: dict[str, Any] = {
        "inputs": {parameter.name: _ORK_TYPES[parameter.annotation] for parameter in parameters},
        "output": _ORK_TYPES[output],
    }
    defaults = [parameter.name for parameter in parameters if parameter.has_default]
    if defaults:
        signature["defaults"] = defaults
    return signature


def _plain_parameters(function: Callable[..., Any]) -> tuple[Parameter, ...] | None:
    """The parameters of a plain function with plain annotations, read without inspect or typing; else None.

    A decorated function (`__wrapped__`), one with a `__signature__`, *args or
    **kwargs, or any other annotation is left to _resolved_parameters.
    """
    if type(function) is not _FUNCTION or hasattr(function, "__wrapped__") or hasattr(function, "__signature__"):
        return None
    code = function.__code__  # type: ignore[attr-defined]
    if code.co_flags & (_CO_VARARGS | _CO_VARKEYWORDS):
        return None
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    first_default = len(positional) - len(function.__defaults__ or ())  # type: ignore[attr-defined]
    keyword_defaults = function.__kwdefaults__ or {}  # type: ignore[attr-defined]
    annotations = function.__annotations__
    names = function.__globals__  # type: ignore[attr-defined]
    parameters: list[Parameter] = []
    for index, name in enumerate(positional + keyword_only):
        annotation = _plain_annotation(annotations.get(name, _NOT_PLAIN), names)
        if annotation is _NOT_PLAIN:
            return None
        has_default = index >= first_default if index < len(positional) else name in keyword_defaults
        parameters.append(Parameter(name, annotation, has_default, needs_conversion=annotation is float))
    return tuple(parameters)


_NOT_PLAIN = object()


def _plain_annotation(annotation: Any, names: dict[str, Any]) -> Any:
    """The annotation as typing.get_type_hints resolves it, when it is plain; else _NOT_PLAIN.

    An unannotated parameter is not plain: compiling refuses it, so only a
    module edited since then has one, and _resolved_parameters binds it as before.
    """
    if isinstance(annotation, str):
        if annotation not in _PLAIN_NAMES or annotation in names:  # unknown, or shadowed by the module
            return _NOT_PLAIN
        annotation = _PLAIN_NAMES[annotation]
    if annotation is None:
        return type(None)
    if annotation in _PLAIN or annotation is float:
        return annotation
    return _NOT_PLAIN


def _resolved_parameters(function: Callable[..., Any]) -> tuple[Parameter, ...]:
    import inspect
    import typing

    from ork_introspect import strip_wrappers

    passthrough = frozenset({typing.Any, *_PLAIN})
    hints = typing.get_type_hints(function)
    return tuple(
        Parameter(
            name=parameter.name,
            annotation=hints.get(parameter.name, typing.Any),
            has_default=parameter.default is not inspect.Parameter.empty,
            needs_conversion=strip_wrappers(hints.get(parameter.name, typing.Any)) not in passthrough,
        )
        for parameter in inspect.signature(function).parameters.values()
    )


def bind_arguments(plan: CallPlan, task_input: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for one call; raises BindingError."""
    upstream = task_input.get("upstream")
    if not isinstance(upstream, dict):
        upstream = {}
    arguments: dict[str, Any] = {}
    unbound: list[Parameter] = []
    for parameter in plan.parameters:
        found, value = lookup(parameter.name, task_input, upstream)
        if found:
            arguments[parameter.name] = (
                _convert_argument(value, parameter.annotation, parameter.name) if parameter.needs_conversion else value
            )
        elif not parameter.has_default:
            unbound.append(parameter)
    if not unbound:
        return arguments
    only = plan.parameters[0]
    if len(plan.parameters) == 1 and only.needs_conversion:
        cls = _object_type(only.annotation)
        if cls is not None:
            return {only.name: _whole_input(only.name, cls, task_input, upstream)}
    names = ", ".join(f"'{p.name}'" for p in unbound)
    raise BindingError(
        f"function '{plan.function_name}' parameter(s) {names} are not bound: no input of that name, "
        "no direct upstream task of that name, and no default"
    )


def lookup(name: str, task_input: dict[str, Any], upstream: dict[str, Any]) -> tuple[bool, Any]:
    """Whether `name` binds, and to what: an explicit input, an upstream output, or all upstream outputs."""
    if name != "upstream" and name in task_input:
        return True, task_input[name]
    if name in upstream:
        return True, upstream[name]
    if name == "upstream":
        return True, upstream
    return False, None


def _object_type(annotation: Any) -> type | None:
    """The class of an object-type annotation (dataclass, Pydantic model, TypedDict, NamedTuple), else None."""
    from ork_introspect import object_kind, strip_wrappers

    cls = strip_wrappers(annotation)
    return cls if object_kind(cls) is not None else None


def _whole_input(name: str, cls: type, task_input: dict[str, Any], upstream: dict[str, Any]) -> Any:
    """The single object parameter: the explicit inputs, plus its fields bound by upstream name."""
    from ork_introspect import object_fields

    whole = {key: value for key, value in task_input.items() if key != "upstream"}
    for field in object_fields(cls):
        if field not in whole:
            found, value = lookup(field, task_input, upstream)
            if found:
                whole[field] = value
    return _convert_argument(whole, cls, name)


def _convert_argument(value: Any, annotation: Any, name: str) -> Any:
    if annotation is float:  # the one plain conversion: an int where a float is annotated
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    from ork_convert import convert

    try:
        return convert(value, annotation)
    except Exception as error:
        import inspect

        raise BindingError(
            f"cannot convert input '{name}' to {inspect.formatannotation(annotation)}: "
            f"{type(error).__name__}: {error}"
        ) from error
