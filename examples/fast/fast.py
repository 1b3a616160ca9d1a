"""Tiny typed tasks for measuring what ork adds around a Python call.

`chain.yaml` runs `tick` 40 times in a row (each sleeps 10 ms, the workload of
Windmill's public orchestrator benchmark); `fan.yaml` runs `start`, then 200
`leaf` tasks, then `total`, which sums them. `bench/python_bench.py` times both
against a plain loop making the same calls.
"""
import time


def tick(previous: int = 0, delay_s: float = 0.01) -> int:
    """Sleeps `delay_s`, then counts one more step."""
    time.sleep(delay_s)
    return previous + 1


def start() -> int:
    """The fan's root: the factor every leaf multiplies by."""
    return 1


def leaf(start: int, i: int) -> int:
    """`start` is the whole output of the upstream task named `start`."""
    return start * i


def total(upstream: dict[str, int]) -> int:
    """Sums the outputs of every direct upstream task."""
    return sum(upstream.values())
