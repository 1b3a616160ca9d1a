"""The Python tasks of {{project}}: plain typed functions; ork checks their
annotations against the shell task's input_type/output_type before running."""
import re
from typing import TypedDict


class Counts(TypedDict):
    """The shell task's result, as the workflow's `Counts` type describes it."""

    words: int
    distinct: int


def split(text: str) -> list[str]:
    """The words of `text`: lower-case letters, digits and apostrophes only."""
    return re.findall(r"[a-z0-9']+", text.lower())


def report(counts: Counts) -> str:
    """One line about the counts the shell task produced."""
    return f"{counts['words']} words, {counts['distinct']} distinct"
