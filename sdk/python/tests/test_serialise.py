"""Serialising return values: every supported form, and clear failures."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import sys
import unittest
from pathlib import Path
from typing import Any, List, NamedTuple, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ork_sdk import SerialisationError, to_json_data  # noqa: E402


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Reading:
    taken: datetime.datetime
    level: Level
    tags: List[str]


class Pair(NamedTuple):
    left: int
    right: float


class Summary(TypedDict):
    count: int


class Opaque:
    pass


def error_of(value: Any) -> str:
    """The SerialisationError message serialising `value` raises."""
    try:
        to_json_data(value)
    except SerialisationError as error:
        return str(error)
    raise AssertionError(f"serialising {value!r} raised no SerialisationError")


class Serialise(unittest.TestCase):
    def test_supported_forms(self) -> None:
        reading = Reading(datetime.datetime(2024, 3, 1, 10, 30), Level.HIGH, ["a"])
        self.assertEqual(
            to_json_data({"reading": reading, "pair": Pair(1, 2.5), "day": datetime.date(2024, 1, 2)}),
            {
                "reading": {"taken": "2024-03-01T10:30:00", "level": 2, "tags": ["a"]},
                "pair": {"left": 1, "right": 2.5},
                "day": "2024-01-02",
            },
        )
        self.assertEqual(to_json_data((1, None, True, "x")), [1, None, True, "x"])
        summary: Summary = {"count": 3}
        self.assertEqual(to_json_data(summary), {"count": 3})
        self.assertIsNone(to_json_data(None))

    def test_unsupported_value_names_type_and_path(self) -> None:
        self.assertEqual(
            error_of({"rows": [1, Opaque()]}),
            f"cannot serialise a value of type 'Opaque' ({__name__}.Opaque) at 'rows[1]' in the return value; "
            "return a dataclass, dict, list, str, int, float, bool, None, date, datetime, Enum, NamedTuple or "
            "Pydantic model",
        )
        self.assertIn("at the top of the return value", error_of({1, 2}))

    def test_non_finite_floats_and_non_string_keys_fail(self) -> None:
        self.assertEqual(
            error_of({"mean": float("nan")}),
            "cannot serialise the float nan at 'mean' in the return value: JSON has no NaN or Infinity",
        )
        self.assertEqual(
            error_of({"by_id": {1: "a"}}),
            "cannot serialise the dict key 1 (int) at 'by_id' in the return value: JSON object keys are strings",
        )

    def test_pydantic_v1_models_when_installed(self) -> None:
        try:
            import pydantic
        except ImportError:
            self.skipTest("pydantic is not installed for this interpreter")

        class Model(pydantic.BaseModel):
            id: int
            when: datetime.date

        self.assertEqual(to_json_data([Model(id=1, when=datetime.date(2024, 1, 2))]), [{"id": 1, "when": "2024-01-02"}])


if __name__ == "__main__":
    unittest.main()
