"""Maps a task function's annotations to ork's type language (DESIGN §4).

Part of the python executor's worker runtime: compiled into ork-python-worker
and executed there, never read from disk. A type is reported either as a string
in ork's syntax ("list[int]", "str | None") or, for a named object type
(dataclass, TypedDict, Pydantic model, NamedTuple), as the JSON object
{"$name": "Order", "fields": {"id": "int", "note?": "str"}}. Inside a composite
type string (list[Order], Order | None) an object can only be written
structurally, so there the name is lost: "list[{id: int, note?: str}]".
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import enum
import inspect
import types
import typing
from typing import Any, Callable, Union

OrkType = Union[str, dict[str, Any]]

_LIST_ORIGINS: tuple[Any, ...] = (
    list,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
)
_DICT_ORIGINS: tuple[Any, ...] = (
    dict,
    collections.abc.Mapping,
    collections.abc.MutableMapping,
)
_REQUIREDNESS_WRAPPERS: tuple[Any, ...] = (typing.NotRequired, typing.Required)


class SignatureError(Exception):
    """One or more problems with a task function's signature, phrased for the user."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class UnsupportedType(Exception):
    """An annotation with no equivalent in ork's type language."""


def describe_function(function: Callable[..., Any], name: str, where: str) -> dict[str, Any]:
    """The signature JSON of `function` (see ork_check_sink.signature in plugin.h).

    `where` is "file:line" of the def, used in every error message.
    """
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    problems = _missing_annotations(parameters, signature, name, where)
    if problems:
        raise SignatureError(problems)
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception as error:  # any NameError/TypeError from evaluating annotations
        raise SignatureError(
            [f"{where}: cannot resolve the annotations of function '{name}': {type(error).__name__}: {error}"]
        ) from error
    inputs: dict[str, OrkType] = {}
    for parameter in parameters:
        try:
            inputs[parameter.name] = to_ork_type(hints[parameter.name])
        except UnsupportedType as error:
            problems.append(f"{where}: function '{name}' parameter '{parameter.name}': {error}")
    output: OrkType = "Any"
    try:
        output = to_ork_type(hints["return"])
    except UnsupportedType as error:
        problems.append(f"{where}: function '{name}' return type: {error}")
    if problems:
        raise SignatureError(problems)
    result: dict[str, Any] = {"inputs": inputs, "output": output}
    defaults = [p.name for p in parameters if p.default is not inspect.Parameter.empty]
    if defaults:
        result["defaults"] = defaults
    if len(parameters) == 1 and isinstance(inputs[parameters[0].name], dict):
        result["whole_input"] = parameters[0].name
    return result


def _missing_annotations(
    parameters: list[inspect.Parameter], signature: inspect.Signature, name: str, where: str
) -> list[str]:
    problems: list[str] = []
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            problems.append(
                f"{where}: function '{name}' takes *{parameter.name}; ork passes keyword arguments only, "
                "so declare each input as a named, annotated parameter"
            )
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            problems.append(
                f"{where}: function '{name}' takes **{parameter.name}; ork needs every input as a named, "
                "annotated parameter to type-check it"
            )
        elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            problems.append(
                f"{where}: function '{name}' parameter '{parameter.name}' is positional-only; ork passes "
                "keyword arguments, so remove the '/'"
            )
        elif parameter.annotation is inspect.Parameter.empty:
            problems.append(f"{where}: function '{name}' parameter '{parameter.name}' has no type annotation")
    if signature.return_annotation is inspect.Signature.empty:
        problems.append(
            f"{where}: function '{name}' has no return type annotation: add one, e.g. '-> dict[str, Any]' "
            "or a TypedDict of the fields it returns (those of the task's output_type, if the workflow declares one), "
            "or '-> None' if it returns nothing"
        )
    return problems


def to_ork_type(annotation: Any) -> OrkType:
    """The ork type of one resolved annotation; raises UnsupportedType."""
    return _TypeMapper().map(annotation)


def render(ork_type: OrkType) -> str:
    """An ork type as a string, named object types written structurally."""
    if isinstance(ork_type, str):
        return ork_type
    fields = ork_type["fields"] if "$name" in ork_type else ork_type
    return "{" + ", ".join(f"{field}: {render(inner)}" for field, inner in fields.items()) + "}"


def strip_annotated(annotation: Any) -> Any:
    """`Annotated[T, ...]` → T; anything else unchanged."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def is_named_object_type(annotation: Any) -> bool:
    """Whether the annotation is a class ork reports as a named object type."""
    return object_kind(strip_annotated(annotation)) is not None


def object_kind(annotation: Any) -> str | None:
    """'dataclass', 'typeddict', 'pydantic2', 'pydantic1', 'namedtuple' or None."""
    if not isinstance(annotation, type):
        return None
    if dataclasses.is_dataclass(annotation):
        return "dataclass"
    if typing.is_typeddict(annotation) or _is_extensions_typeddict(annotation):
        return "typeddict"
    if hasattr(annotation, "model_fields") and hasattr(annotation, "model_validate"):
        return "pydantic2"
    if hasattr(annotation, "__fields__") and hasattr(annotation, "parse_obj"):
        return "pydantic1"
    if issubclass(annotation, tuple) and hasattr(annotation, "_fields"):
        return "namedtuple"
    return None


def object_fields(cls: type) -> dict[str, tuple[Any, bool]]:
    """Field name → (resolved annotation, required) for a named object type."""
    kind = object_kind(cls)
    hints = typing.get_type_hints(cls, include_extras=True)
    if kind == "dataclass":
        return {
            field.name: (
                hints.get(field.name, Any),
                field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING and field.init,
            )
            for field in dataclasses.fields(cls)
        }
    if kind == "typeddict":
        required: frozenset[str] = getattr(cls, "__required_keys__", frozenset(hints))
        return {name: (_strip_requiredness(hint), _typeddict_required(hint, name in required)) for name, hint in hints.items()}
    if kind == "pydantic2":
        model_fields: dict[str, Any] = getattr(cls, "model_fields")
        return {name: (hints.get(name, Any), info.is_required()) for name, info in model_fields.items()}
    if kind == "pydantic1":
        v1_fields: dict[str, Any] = getattr(cls, "__fields__")
        return {name: (hints.get(name, Any), bool(info.required)) for name, info in v1_fields.items()}
    if kind == "namedtuple":
        field_defaults: dict[str, Any] = getattr(cls, "_field_defaults", {})
        names: tuple[str, ...] = getattr(cls, "_fields")
        return {name: (hints.get(name, Any), name not in field_defaults) for name in names}
    raise TypeError(f"{cls!r} is not an object type")


def _typeddict_required(annotation: Any, declared_required: bool) -> bool:
    # Under `from __future__ import annotations` Python 3.11 computes
    # __required_keys__ from unevaluated strings and misses NotRequired, so the
    # resolved annotation's wrapper decides when there is one.
    origin = typing.get_origin(strip_annotated(annotation))
    if origin is typing.NotRequired:
        return False
    if origin is typing.Required:
        return True
    return declared_required


def _strip_requiredness(annotation: Any) -> Any:
    annotation = strip_annotated(annotation)
    while typing.get_origin(annotation) in _REQUIREDNESS_WRAPPERS:
        annotation = strip_annotated(typing.get_args(annotation)[0])
    return annotation


def _is_extensions_typeddict(annotation: type) -> bool:
    # typing_extensions.TypedDict builds classes typing.is_typeddict does not recognise.
    return type(annotation).__name__ == "_TypedDictMeta" and hasattr(annotation, "__total__")


class _TypeMapper:
    """One mapping run; remembers the object types being expanded to refuse recursion."""

    def __init__(self) -> None:
        self.expanding: list[type] = []

    def map(self, annotation: Any) -> OrkType:
        annotation = _strip_requiredness(annotation)
        simple = self._simple(annotation)
        if simple is not None:
            return simple
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is Union or origin is types.UnionType:
            return self._union(args)
        if origin is typing.Literal:
            return self._literal(args)
        if origin in _LIST_ORIGINS:
            return f"list[{self._inner(args[0])}]" if args else "list[Any]"
        if origin is tuple:
            return self._tuple(args)
        if origin in _DICT_ORIGINS:
            return self._dict(args)
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return self._enum(annotation)
        if object_kind(annotation) is not None:
            return self._object(annotation)
        raise UnsupportedType(
            f"type '{_annotation_text(annotation)}' is not supported; use int, float, str, bool, None, date, "
            "datetime, list[T], dict[str, T], tuple[...], unions, Literal, Any, an Enum, or a dataclass, "
            "TypedDict, NamedTuple or Pydantic model"
        )

    def _simple(self, annotation: Any) -> str | None:
        if annotation is Any:
            return "Any"
        if annotation is None or annotation is type(None):
            return "null"
        for python_type, ork_name in (
            (bool, "bool"),
            (int, "int"),
            (float, "float"),
            (str, "str"),
            (datetime.datetime, "datetime"),
            (datetime.date, "date"),
        ):
            if annotation is python_type:
                return ork_name
        if annotation in _LIST_ORIGINS or annotation is tuple or annotation is typing.Tuple:
            return "list[Any]"
        if annotation in _DICT_ORIGINS:
            return "dict[str, Any]"
        return None

    def _inner(self, annotation: Any) -> str:
        return render(self.map(annotation))

    def _union(self, args: tuple[Any, ...]) -> str:
        members: list[str] = []
        for arg in args:
            text = "None" if arg is type(None) else self._inner(arg)
            if text not in members:
                members.append(text)
        if "None" in members:  # ork writes the optional part last: `T | None`
            members.remove("None")
            members.append("None")
        return " | ".join(members)

    def _literal(self, values: tuple[Any, ...]) -> str:
        bases: list[str] = []
        for value in values:
            if isinstance(value, enum.Enum):
                value = value.value
            base = "null" if value is None else self._simple(type(value))
            if base is None:
                raise UnsupportedType(f"Literal value {value!r} has no ork type")
            if base not in bases:
                bases.append(base)
        if len(bases) > 1 and "null" in bases:
            bases = [b for b in bases if b != "null"] + ["None"]
        return " | ".join(bases)

    def _tuple(self, args: tuple[Any, ...]) -> str:
        if not args or args == ((),):
            return "list[Any]"
        if len(args) == 2 and args[1] is Ellipsis:
            return f"tuple[{self._inner(args[0])}, ...]"
        return "tuple[" + ", ".join(self._inner(arg) for arg in args) + "]"

    def _dict(self, args: tuple[Any, ...]) -> str:
        if not args:
            return "dict[str, Any]"
        key = strip_annotated(args[0])
        if key is not str and key is not Any:
            raise UnsupportedType(
                f"dict keys must be str (JSON object keys are strings), not '{_annotation_text(key)}'"
            )
        return f"dict[str, {self._inner(args[1])}]"

    def _enum(self, annotation: type[enum.Enum]) -> str:
        bases: list[str] = []
        for member in annotation:
            base = self._simple(type(member.value))
            if base is None:
                raise UnsupportedType(
                    f"enum '{annotation.__name__}' has a member {member.name} whose value is not int, float, str or bool"
                )
            if base not in bases:
                bases.append(base)
        return " | ".join(bases) if bases else "Any"

    def _object(self, cls: type) -> dict[str, Any]:
        if cls in self.expanding:
            raise UnsupportedType(
                f"type '{cls.__name__}' refers to itself; ork's type language has no recursive types"
            )
        self.expanding.append(cls)
        try:
            try:
                fields = object_fields(cls)
            except Exception as error:
                raise UnsupportedType(
                    f"cannot resolve the annotations of '{cls.__name__}': {type(error).__name__}: {error}"
                ) from error
            described: dict[str, OrkType] = {}
            for name, (annotation, required) in fields.items():
                try:
                    described[name if required else f"{name}?"] = self.map(annotation)
                except UnsupportedType as error:
                    raise UnsupportedType(f"field '{name}' of '{cls.__name__}': {error}") from error
            return {"$name": cls.__name__, "fields": described}
        finally:
            self.expanding.pop()


def _annotation_text(annotation: Any) -> str:
    return inspect.formatannotation(annotation)
