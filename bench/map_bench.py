#!/usr/bin/env python3
"""Benchmark of `map:` (issue 14): a 1 -> N -> 1 fan written as one mapped
task against the same fan written as N static tasks, measured in the same
run, for Python tasks and for library tasks.

M-py:  root returns list(range(N)); `inc` (x: int) -> int is mapped over it;
       `total` sums the list.
S-py:  root returns 0; N static tasks t0..t{N-1} call `inc` with the constant
       x: K; `total` depends on them all (it takes no parameter: a parameter
       `upstream` typed {t0: int, ...} would pass ORK_MAX_TYPE_NODES at
       N = 10 000, one of the engine's limits that a mapped task avoids).
M-lib: a process root prints the list; bench/trivial_task.c's
       `measure_input` is mapped over it (x: int -> {bytes: int}); a library
       sink gets the list.
S-lib: the same process root prints 0; N static library tasks with the constant
       x: K; the same sink.
W0:    one task of the same executor: what every `ork run` pays once
       (start-up, plugins, compiling, the store), taken out of the per-task
       figures.

Per-instance (per-task) overhead = (wall - W0 wall) / (N + 2). Each workload
runs REPEAT times, interleaved so machine noise hits all alike; medians are
reported. ork's figures include recording every state change durably in
SQLite (a temporary .db per workload); the script checks every run's
result in the store. Target: the mapped fan's per-instance overhead within
10 % of the static fan's per-task overhead.

Usage: bench/map_bench.py [--ork build/bin/ork] [--build build] [--repeat 3] [-n 10000] [--concurrency 2]
"""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIBRARY_NAME = "libork_bench_trivial_task.so"
TARGET_RATIO = 1.10

TASKS_PY = """
def numbers(n: int) -> list[int]:
    return list(range(n))


def zero() -> int:
    return 0


def inc(x: int) -> int:
    return x + 1


def total(inc: list[int]) -> int:
    return sum(inc)


def done() -> str:
    return "done"


def one() -> int:
    return 1
"""


@dataclass
class Workload:
    name: str
    kind: str  # "py" or "lib": which W0 its overhead is measured against
    workflow: Path
    database: Path
    tasks: int
    sink: str  # the task whose recorded output is checked
    expected: str  # its output, as recorded


def main() -> int:
    args = parse_args()
    ork = Path(args.ork).resolve()
    library = Path(args.build).resolve() / "bench" / LIBRARY_NAME
    missing = [str(p) for p in (ork, library) if not p.exists()]
    if missing:
        print(f"missing {', '.join(missing)}; build first (scripts/setup.sh)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ork-map-bench-") as tmp:
        work = Path(tmp)
        (work / "tasks.py").write_text(TASKS_PY)
        workloads = write_workloads(work, library, args.n)
        walls = measure(ork, workloads, args.repeat, args.concurrency, work)
        for workload in workloads:
            check_recorded(workload, args.repeat)
    print_report(workloads, walls, args)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ork", default=str(REPO / "build" / "bin" / "ork"))
    parser.add_argument("--build", default=str(REPO / "build"), help="the CMake build directory (for the task library)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-n", type=int, default=10_000, help="width of the fan")
    parser.add_argument("--concurrency", type=int, default=2)
    return parser.parse_args()


def write_workloads(work: Path, library: Path, n: int) -> list[Workload]:
    total = n * (n + 1) // 2
    return [
        write(work, "W0-py", "py", 1, "only", "1", [
            "  only: {executor: python, file: tasks.py, function: one}"]),
        write(work, "M-py", "py", n + 2, "total", str(total), [
            f"  root: {{executor: python, file: tasks.py, function: numbers, inputs: {{n: {n}}}}}",
            "  inc: {executor: python, file: tasks.py, function: inc, map: {x: {from: root}}}",
            "  total: {executor: python, file: tasks.py, function: total, depends_on: [inc]}"]),
        write(work, "S-py", "py", n + 2, "total", '"done"', [
            "  root: {executor: python, file: tasks.py, function: zero}",
            *(f"  t{k}: {{executor: python, file: tasks.py, function: inc, inputs: {{x: {k}}}, depends_on: [root]}}"
              for k in range(n)),
            "  total: {executor: python, file: tasks.py, function: done, depends_on: ["
            + ", ".join(f"t{k}" for k in range(n)) + "]}"]),
        write(work, "W0-lib", "lib", 1, "only", "", [library_task("only", library, "", takes_x=False)]),
        write(work, "M-lib", "lib", n + 2, "sink", "", [
            f"  root: {{executor: process, command: \"python3 -c 'print(\\\"ORK_OUTPUT:\\\" + str(list(range({n}))))'\","
            " output_type: \"list[int]\"}",
            library_task("inc", library, "map: {x: {from: root}}"),
            library_task("sink", library, "depends_on: [inc]", takes_x=False)]),
        write(work, "S-lib", "lib", n + 2, "sink", "", [
            "  root: {executor: process, command: \"python3 -c 'print(\\\"ORK_OUTPUT:0\\\")'\", output_type: int}",
            *(library_task(f"t{k}", library, f"inputs: {{x: {k}}}, depends_on: [root]") for k in range(n)),
            library_task("sink", library, "depends_on: [" + ", ".join(f"t{k}" for k in range(n)) + "]", takes_x=False)]),
    ]


def library_task(name: str, library: Path, extra: str, takes_x: bool = True) -> str:
    # The library declares no parameters; `input_type` declares the one a fan task is given.
    declared = "input_type: {x: int}, " if takes_x else ""
    return (f"  {name}: {{executor: library, file: '{library}', function: measure_input, "
            f"{declared}output_type: {{bytes: int}}{', ' + extra if extra else ''}}}")


def write(work: Path, name: str, kind: str, tasks: int, sink: str, expected: str, lines: list[str]) -> Workload:
    workflow = work / f"{name}.yaml"
    workflow.write_text("\n".join([f"name: bench_map_{name.replace('-', '_')}", "tasks:", *lines]) + "\n")
    return Workload(name, kind, workflow, work / f"{name}.db", tasks, sink, expected)


def measure(ork: Path, workloads: list[Workload], repeat: int, concurrency: int, work: Path) -> dict[str, float]:
    runs: dict[str, list[float]] = {w.name: [] for w in workloads}
    for _ in range(repeat):
        for workload in workloads:  # interleaved: noise hits every workload alike
            runs[workload.name].append(time_run(ork, workload, concurrency, work))
    return {name: statistics.median(walls) for name, walls in runs.items()}


def time_run(ork: Path, workload: Workload, concurrency: int, work: Path) -> float:
    command = [str(ork), "--db", str(workload.database), "run", str(workload.workflow),
               "--concurrency", str(concurrency)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{workload.name}: ork exited {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")
    return wall


def check_recorded(workload: Workload, runs: int) -> None:
    """Every run succeeded, ran every task (instances included) and computed the right result."""
    with sqlite3.connect(workload.database) as connection:
        (succeeded,) = connection.execute("SELECT count(*) FROM runs WHERE status = 'succeeded'").fetchone()
        (attempts,) = connection.execute("SELECT count(*) FROM attempts WHERE status = 'succeeded'").fetchone()
        outputs = {row[0] for row in connection.execute(
            "SELECT output_json FROM tasks WHERE name = ?", (workload.sink,))}
    if succeeded != runs:
        raise SystemExit(f"{workload.name}: {succeeded} of {runs} runs succeeded")
    if attempts != workload.tasks * runs:
        raise SystemExit(f"{workload.name}: expected {workload.tasks * runs} succeeded attempts, found {attempts}")
    if workload.expected and outputs != {workload.expected}:
        raise SystemExit(f"{workload.name}: {workload.sink} recorded {sorted(outputs)}, expected {workload.expected}")


def print_report(workloads: list[Workload], walls: dict[str, float], args: argparse.Namespace) -> None:
    load = os.getloadavg()[0]
    print(f"# map benchmark - {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"{platform.platform()}, --concurrency {args.concurrency}, N={args.n}, median of {args.repeat}, "
          f"load average {load:.1f} at the end")
    print(f"{'workload':10} {'tasks':>7} {'wall s':>9} {'overhead/task us':>17}")
    overhead: dict[str, float] = {}
    for workload in workloads:
        fixed = walls[f"W0-{workload.kind}"]
        if workload.name.startswith("W0"):
            text = f"{'(fixed cost)':>17}"
        else:
            overhead[workload.name] = (walls[workload.name] - fixed) / workload.tasks * 1e6
            text = f"{overhead[workload.name]:17.1f}"
        print(f"{workload.name:10} {workload.tasks:7d} {walls[workload.name]:9.3f} {text}")
    print("overhead/task = (wall - W0 wall) / tasks: what ork adds per task or instance beyond the one-off cost "
          "of a run (compiling, start-up, the store), its state writes included")
    for kind, label in (("py", "Python"), ("lib", "library")):
        ratio = overhead[f"M-{kind}"] / overhead[f"S-{kind}"]
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        print(f"{label}: mapped {overhead[f'M-{kind}']:.1f} us per instance vs static {overhead[f'S-{kind}']:.1f} us "
              f"per task = {ratio:.2f}x (target <= {TARGET_RATIO:.2f}x): {verdict}")


if __name__ == "__main__":
    sys.exit(main())
