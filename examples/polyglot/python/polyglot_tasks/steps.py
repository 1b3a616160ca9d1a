"""The Python tasks of ork's polyglot example: plain typed functions that
ork's `python` executor calls directly, with no import of ork.

Their annotations are their contract. ork reads them when it compiles the
workflow and checks every edge against the types the Rust and C++ tasks
report: `Stats` here must accept what the Rust `stats` library returns,
`Chart` what the C++ `render` library returns, and so on. The dataclasses
mirror those outputs field by field; ork compares types by structure, so
the names need not match.
"""

from __future__ import annotations

from dataclasses import dataclass

# Constants of the classic "minimal standard" linear congruential generator:
# deterministic samples without `random`, whose sequence may change between
# Python versions.
_LCG_MULTIPLIER = 48271
_LCG_MODULUS = 2**31 - 1


@dataclass
class Samples:
    values: list[int]
    seed: int


@dataclass
class Stats:
    """The output of the Rust `stats` library task."""

    count: int
    total: int
    min: int
    max: int
    mean: float


@dataclass
class Normalised:
    scores: list[float]


@dataclass
class Chart:
    """The output of the C++ `render` library task."""

    lines: list[str]
    peak: int


@dataclass
class Checksum:
    """The output of the raw Rust `checksum` process task."""

    checksum: str
    count: int


@dataclass
class Report:
    title: str
    chart: list[str]
    samples: int
    mean: float
    checksum: str


def generate(count: int, seed: int) -> Samples:
    """`count` pseudo-random integers in [0, 100), the same for the same seed."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    if not 0 < seed < _LCG_MODULUS:
        raise ValueError(f"seed must be between 1 and {_LCG_MODULUS - 1}, not {seed}")
    state = seed
    values: list[int] = []
    for _ in range(count):
        state = state * _LCG_MULTIPLIER % _LCG_MODULUS
        values.append(state % 100)
    print(f"generated {count} samples from seed {seed}")
    return Samples(values=values, seed=seed)


def normalise(values: list[int], stats: Stats) -> Normalised:
    """Maps each value onto [0, 1] between the smallest and the largest."""
    span = stats.max - stats.min
    if span == 0:
        return Normalised(scores=[0.0 for _ in values])
    return Normalised(scores=[(value - stats.min) / span for value in values])


def report(chart: Chart, stats: Stats, checksum: Checksum, title: str) -> Report:
    """Prints the chart and gathers the final result of the workflow."""
    if checksum.count != stats.count:
        raise ValueError(f"the checksum covers {checksum.count} values but the statistics {stats.count}")
    print(title)
    for line in chart.lines:
        print(line)
    return Report(title=title, chart=chart.lines, samples=stats.count, mean=stats.mean,
                  checksum=checksum.checksum)
