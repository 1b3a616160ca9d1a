"""Binding the input object to parameters, converting and type-checking each value."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import sys
import unittest
from pathlib import Path
from typing import Any, Dict, List, Literal, NamedTuple, Optional, Tuple, TypedDict, Union

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ork_sdk import InputError, bind_arguments  # noqa: E402


@dataclasses.dataclass
class Line:
    sku: str
    quantity: int


@dataclasses.dataclass
class Order:
    id: int
    lines: List[Line]
    placed: datetime.date
    note: Optional[str] = None


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Point(NamedTuple):
    x: float
    y: float


class Totals(TypedDict):
    count: int
    mean: float


def by_name(count: int, label: str = "none", upstream: Optional[Dict[str, Any]] = None) -> None:
    """Binding fixture."""


def takes_extract(extract: List[int], scale: float) -> None:
    """Binding fixture."""


def takes_order(order: Order) -> None:
    """Whole-input fixture."""


def takes_totals(totals: Totals) -> None:
    """Whole-input fixture."""


def many_kinds(
    when: datetime.datetime,
    colour: Colour,
    mode: Literal["fast", "slow"],
    point: Point,
    pair: Tuple[int, str],
    scores: Dict[str, float],
    flag: bool,
    either: Union[int, str],
) -> None:
    """Conversion fixture."""


def error_of(function: Any, task_input: Dict[str, Any]) -> str:
    """The InputError message binding `task_input` raises."""
    try:
        bind_arguments(function, task_input)
    except InputError as error:
        return str(error)
    raise AssertionError(f"binding {task_input!r} to {function.__name__} raised no InputError")


class ParameterBinding(unittest.TestCase):
    def test_explicit_input_then_upstream_then_default(self) -> None:
        self.assertEqual(
            bind_arguments(by_name, {"count": 3, "upstream": {"a": 1}}),
            {"count": 3, "upstream": {"a": 1}},
        )
        self.assertEqual(
            bind_arguments(by_name, {"count": 3, "label": "x"}), {"count": 3, "label": "x", "upstream": {}}
        )

    def test_a_parameter_named_like_an_upstream_task_receives_its_output(self) -> None:
        arguments = bind_arguments(takes_extract, {"scale": 2, "upstream": {"extract": [1, 2]}})
        self.assertEqual(arguments, {"extract": [1, 2], "scale": 2.0})
        self.assertIsInstance(arguments["scale"], float)

    def test_explicit_input_wins_over_upstream_output(self) -> None:
        arguments = bind_arguments(takes_extract, {"extract": [9], "scale": 1.5, "upstream": {"extract": [1]}})
        self.assertEqual(arguments["extract"], [9])

    def test_unbound_parameter_is_named(self) -> None:
        self.assertEqual(
            error_of(takes_extract, {"scale": 1}),
            'missing input for parameter(s) "extract" of function \'takes_extract\': no input of that name, '
            "no direct upstream task of that name, and no default",
        )

    def test_whole_input_builds_the_dataclass_and_binds_fields_by_upstream_name(self) -> None:
        arguments = bind_arguments(
            takes_order,
            {"id": 7, "placed": "2024-03-01", "extra": 1, "upstream": {"lines": [{"sku": "a", "quantity": 2}]}},
        )
        self.assertEqual(arguments, {"order": Order(7, [Line("a", 2)], datetime.date(2024, 3, 1))})

    def test_whole_input_typeddict(self) -> None:
        self.assertEqual(bind_arguments(takes_totals, {"count": 2, "mean": 1}), {"totals": {"count": 2, "mean": 1.0}})

    def test_whole_input_errors_name_fields(self) -> None:
        self.assertEqual(error_of(takes_order, {"id": 7, "lines": []}), 'missing field "placed"')
        self.assertEqual(
            error_of(takes_order, {"id": "7", "lines": [], "placed": "2024-03-01"}),
            'field "id": expected int, got str "7"',
        )

    def test_a_named_object_parameter_given_by_name_is_converted(self) -> None:
        arguments = bind_arguments(takes_order, {"order": {"id": 1, "lines": [], "placed": "2024-01-02"}})
        self.assertEqual(arguments["order"], Order(1, [], datetime.date(2024, 1, 2)))


class Conversions(unittest.TestCase):
    valid: Dict[str, Any] = {
        "when": "2024-03-01T10:30:00Z",
        "colour": "blue",
        "mode": "slow",
        "point": {"x": 1, "y": 2.5},
        "pair": [1, "a"],
        "scores": {"a": 1, "b": 0.5},
        "flag": False,
        "either": "text",
    }

    def test_every_supported_annotation_converts(self) -> None:
        arguments = bind_arguments(many_kinds, self.valid)
        self.assertEqual(arguments["when"], datetime.datetime(2024, 3, 1, 10, 30, tzinfo=datetime.timezone.utc))
        self.assertIs(arguments["colour"], Colour.BLUE)
        self.assertEqual(arguments["mode"], "slow")
        self.assertEqual(arguments["point"], Point(1.0, 2.5))
        self.assertEqual(arguments["pair"], (1, "a"))
        self.assertEqual(arguments["scores"], {"a": 1.0, "b": 0.5})
        self.assertIs(arguments["flag"], False)
        self.assertEqual(arguments["either"], "text")

    def mismatch(self, name: str, value: Any) -> str:
        return error_of(many_kinds, {**self.valid, name: value})

    def test_wrong_types_name_the_parameter_and_both_types(self) -> None:
        self.assertEqual(self.mismatch("flag", 1), 'parameter "flag": expected bool, got int 1')
        self.assertEqual(self.mismatch("either", 1.5), 'parameter "either": expected int | str, got float 1.5')
        self.assertEqual(self.mismatch("scores", {"a": "x"}), 'parameter "scores.a": expected float, got str "x"')
        self.assertEqual(
            self.mismatch("scores", [1]), 'parameter "scores": expected dict[str, float], got a list of 1 item'
        )
        self.assertEqual(self.mismatch("point", {"x": 1}), 'missing field "point.y"')

    def test_choices_are_listed(self) -> None:
        self.assertEqual(
            self.mismatch("colour", "green"),
            'parameter "colour": expected one of "red", "blue" (Colour), got str "green"',
        )
        self.assertEqual(
            self.mismatch("mode", "medium"), 'parameter "mode": expected one of "fast", "slow", got str "medium"'
        )

    def test_bad_dates_and_tuples(self) -> None:
        self.assertEqual(
            self.mismatch("when", "yesterday"),
            'parameter "when": expected datetime (an ISO 8601 string), got str "yesterday"',
        )
        self.assertEqual(
            self.mismatch("pair", [1]), 'parameter "pair": expected tuple[int, str] (2 items), got a list of 1 item'
        )
        self.assertEqual(self.mismatch("pair", [1, 2]), 'parameter "pair[1]": expected str, got int 2')

    def test_nested_paths(self) -> None:
        order = {"id": 1, "placed": "2024-01-01", "lines": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": "2"}]}
        self.assertEqual(
            error_of(takes_order, {"order": order}), 'parameter "order.lines[1].quantity": expected int, got str "2"'
        )

    def test_optional_reports_the_union_for_scalars(self) -> None:
        order = {"id": 1, "placed": "2024-01-01", "lines": [], "note": 5}
        self.assertEqual(
            error_of(takes_order, {"order": order}), 'parameter "order.note": expected str | None, got int 5'
        )

    def test_int_is_not_float_in_reverse_and_bool_is_not_int(self) -> None:
        self.assertEqual(error_of(by_name, {"count": 2.0}), 'parameter "count": expected int, got float 2.0')
        self.assertEqual(error_of(by_name, {"count": True}), 'parameter "count": expected int, got bool true')
        self.assertEqual(error_of(by_name, {"count": "2"}), 'parameter "count": expected int, got str "2"')

    def test_long_values_are_cut(self) -> None:
        message = error_of(by_name, {"count": "x" * 100})
        self.assertEqual(message, 'parameter "count": expected int, got str "' + "x" * 38 + "…")


if __name__ == "__main__":
    unittest.main()
