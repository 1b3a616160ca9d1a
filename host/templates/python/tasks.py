"""The tasks of {{project}}: plain Python functions. ork reads their type
annotations to check the workflow before it runs, and calls them with keyword
arguments; nothing here imports ork."""
import dataclasses


@dataclasses.dataclass
class Summary:
    """What `summarise` returns; ork sees it as {count: int, total: int, mean: float}."""

    count: int
    total: int
    mean: float


def numbers(count: int) -> list[int]:
    """The squares of 1..count."""
    return [n * n for n in range(1, count + 1)]


def summarise(values: list[int]) -> Summary:
    """Counts, adds up and averages `values`."""
    total = sum(values)
    print(f"summarising {len(values)} values")  # printed lines become the task's log
    return Summary(count=len(values), total=total, mean=total / len(values) if values else 0.0)


def report(summarise: Summary) -> str:
    """One line about the upstream task's result (bound by the parameter's name)."""
    return f"{summarise.count} numbers, total {summarise.total}, mean {summarise.mean:.2f}"
