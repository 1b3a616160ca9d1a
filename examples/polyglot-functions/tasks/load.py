"""Step 1 (Python): reads the raw score sheet."""
import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Reading:
    player: str
    points: int


def load(sheet: str = "scores.csv") -> list[Reading]:
    """One Reading per row of the sheet, as written (names untrimmed)."""
    path = Path(__file__).resolve().parent.parent / sheet
    with path.open(newline="") as f:
        return [Reading(row["player"], int(row["points"])) for row in csv.DictReader(f)]
