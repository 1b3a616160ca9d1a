"""Step 5 (Python): writes the podium."""
from typing import TypedDict


class Ranked(TypedDict):
    place: int
    player: str
    total: int


def report(ranked: list[Ranked]) -> str:
    lines = [f"{r['place']}. {r['player']} ({r['total']} points)" for r in ranked]
    text = "\n".join(lines)
    print(text)
    return text
