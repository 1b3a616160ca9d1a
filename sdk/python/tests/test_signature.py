"""`--ork-signature` content: ork types from annotations, and refusals."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import sys
import unittest
from pathlib import Path
from typing import Any, Dict, List, Literal, NamedTuple, Optional, Set, Tuple, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ork_sdk import SignatureError, signature  # noqa: E402


@dataclasses.dataclass
class Order:
    id: int
    placed: datetime.date
    note: Optional[str] = None


class Colour(enum.Enum):
    RED = "red"


class Point(NamedTuple):
    x: float
    y: float = 0.0


class Totals(TypedDict, total=False):
    count: int


def plain(values: List[int], factor: float = 2.0, upstream: Dict[str, Any] = {}) -> Dict[str, List[float]]:
    """Signature fixture."""
    return {}


def rich(
    when: datetime.datetime,
    colour: Colour,
    mode: Literal["a", "b"],
    pair: Tuple[int, str],
    rest: Tuple[int, ...],
    maybe: Optional[List[Order]],
) -> Point:
    """Signature fixture."""
    return Point(0.0)


def whole(order: Order) -> Totals:
    """Signature fixture."""
    return {}


def untyped(values, factor: int):  # type: ignore[no-untyped-def]
    """Signature fixture with missing annotations."""
    return values


def variadic(*values: int, **options: str) -> None:
    """Signature fixture with *args/**kwargs."""


def positional_only(count: int, /, label: str) -> str:
    """Signature fixture with a positional-only parameter, which keyword arguments cannot fill."""
    return label * count


def unsupported(items: Set[int]) -> None:
    """Signature fixture with a type ork has no name for."""


def refusal(function: Any) -> List[str]:
    """The messages of the SignatureError `signature(function)` raises, with this file's path cut."""
    try:
        signature(function)
    except SignatureError as error:
        return [message.replace(__file__, "FILE") for message in error.messages]
    raise AssertionError(f"signature({function.__name__}) raised no SignatureError")


class Signatures(unittest.TestCase):
    def test_plain_parameters_with_defaults(self) -> None:
        self.assertEqual(
            signature(plain),
            {
                "inputs": {"values": "list[int]", "factor": "float", "upstream": "dict[str, Any]"},
                "output": "dict[str, list[float]]",
                "defaults": ["factor", "upstream"],
            },
        )

    def test_rich_annotations(self) -> None:
        self.assertEqual(
            signature(rich),
            {
                "inputs": {
                    "when": "datetime",
                    "colour": "str",
                    "mode": "str",
                    "pair": "tuple[int, str]",
                    "rest": "tuple[int, ...]",
                    "maybe": "list[{id: int, placed: date, note?: str | None}] | None",
                },
                "output": {"$name": "Point", "fields": {"x": "float", "y?": "float"}},
            },
        )

    def test_single_object_parameter_is_the_whole_input(self) -> None:
        self.assertEqual(
            signature(whole),
            {
                "inputs": {
                    "order": {"$name": "Order", "fields": {"id": "int", "placed": "date", "note?": "str | None"}}
                },
                "output": {"$name": "Totals", "fields": {"count?": "int"}},
                "whole_input": "order",
            },
        )

    def test_untyped_parameters_and_return_are_refused_with_file_and_line(self) -> None:
        line = untyped.__code__.co_firstlineno
        self.assertEqual(
            refusal(untyped),
            [
                f"FILE:{line}: function 'untyped' parameter 'values' has no type annotation",
                f"FILE:{line}: function 'untyped' has no return type annotation: add one, e.g. "
                "'-> dict[str, Any]' or a TypedDict of the fields it returns (those of the task's output_type, "
                "if the workflow declares one), or '-> None' if it returns nothing",
            ],
        )

    def test_variadic_parameters_are_refused(self) -> None:
        messages = refusal(variadic)
        self.assertEqual(len(messages), 2)
        self.assertIn("takes *values; ork passes keyword arguments only", messages[0])
        self.assertIn("takes **options; ork needs every input as a named, annotated parameter", messages[1])

    def test_positional_only_parameters_are_refused(self) -> None:
        line = positional_only.__code__.co_firstlineno
        self.assertEqual(
            refusal(positional_only),
            [
                f"FILE:{line}: function 'positional_only' parameter 'count' is positional-only; "
                "ork passes keyword arguments, so remove the '/'"
            ],
        )

    def test_unsupported_types_are_refused(self) -> None:
        messages = refusal(unsupported)
        self.assertEqual(len(messages), 1)
        self.assertIn("function 'unsupported' parameter 'items': type 'Set[int]' is not supported", messages[0])


if __name__ == "__main__":
    unittest.main()
