#!/usr/bin/env python3
"""Benchmark of `library` tasks (issue 4): ork's per-task overhead for a task
that does almost nothing, beside a plain loop calling the same function
directly in one process (measured in the same run, on the same machine).

W1: fan-out 1 -> TASKS -> 1: a root task, TASKS tasks depending on it, and a
    sink depending on all of them.
W2: a chain of CHAIN tasks, each depending on the previous one.
W0: a single task, to measure what every `ork run` pays once (start-up,
    plugin loading, compiling, opening the store) and take it out of the
    per-task figures.

The task is bench/trivial_task.c (`measure_input`: returns the length of
its input as {"bytes": N}); the baseline is bench/direct_loop.c, which
dlopen()s the same library and calls the same function in a loop. Both are
built by CMake into <build>/bench/. ork's figures include recording every
task's state durably in SQLite (a temporary .db per workload), and the run
checks that every attempt was recorded.

Each workload runs REPEAT times, interleaved; medians are reported.

Usage: bench/library_bench.py [--build build] [--repeat 5] [--tasks 1000] [--chain 200] [--concurrency 2]
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

TASK_FUNCTION = "measure_input"
LIBRARY_NAME = "libork_bench_trivial_task.so"
DIRECT_LOOP_NAME = "ork-bench-direct-loop"
FAN_TARGET_US = 100.0
CHAIN_TARGET_MS = 0.5


@dataclass
class Paths:
    ork: Path
    library: Path
    direct_loop: Path


@dataclass
class Workload:
    name: str
    workflow: Path
    database: Path
    tasks: int


@dataclass
class Medians:
    single_s: float
    fan_s: float
    chain_s: float
    direct_ns: float
    # `ork validate` of the same files: what compiling the workflow costs.
    single_validate_s: float
    fan_validate_s: float
    chain_validate_s: float


def main() -> int:
    args = parse_args()
    paths = find_paths(Path(args.build).resolve())
    missing = [str(p) for p in (paths.ork, paths.library, paths.direct_loop) if not p.exists()]
    if missing:
        print(f"missing {', '.join(missing)}; build first (scripts/setup.sh, or cmake --build {args.build})",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ork-library-bench-") as tmp:
        work = Path(tmp)
        single = Workload("W0 single task", write_single(work / "w0.yaml", paths.library), work / "w0.db", 1)
        fan = Workload(f"W1 fan 1->{args.tasks}->1", write_fan(work / "w1.yaml", paths.library, args.tasks),
                       work / "w1.db", args.tasks + 2)
        chain = Workload(f"W2 chain of {args.chain}", write_chain(work / "w2.yaml", paths.library, args.chain),
                         work / "w2.db", args.chain)
        medians = measure(paths, [single, fan, chain], args.repeat, args.concurrency, work)
        for workload in (single, fan, chain):
            check_recorded(workload, args.repeat)
    print_report(medians, single, fan, chain, args)
    return 0


def parse_args() -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(repo / "build"), help="the CMake build directory")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--chain", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    return parser.parse_args()


def find_paths(build: Path) -> Paths:
    return Paths(ork=build / "bin" / "ork", library=build / "bench" / LIBRARY_NAME,
                 direct_loop=build / "bench" / DIRECT_LOOP_NAME)


def task_line(name: str, library: Path, depends_on: list[str]) -> str:
    dependencies = f", depends_on: [{', '.join(depends_on)}]" if depends_on else ""
    return f"  {name}: {{executor: library, file: '{library}', function: {TASK_FUNCTION}{dependencies}}}"


def write_single(path: Path, library: Path) -> Path:
    path.write_text("\n".join(["name: bench_library_single", "tasks:", task_line("only", library, [])]) + "\n")
    return path


def write_fan(path: Path, library: Path, n: int) -> Path:
    middle = [f"t{i}" for i in range(n)]
    lines = ["name: bench_library_fan", "tasks:", task_line("root", library, [])]
    lines += [task_line(name, library, ["root"]) for name in middle]
    lines.append(task_line("sink", library, middle))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_chain(path: Path, library: Path, n: int) -> Path:
    lines = ["name: bench_library_chain", "tasks:"]
    lines += [task_line(f"t{i}", library, [f"t{i - 1}"] if i > 0 else []) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(paths: Paths, workloads: list[Workload], repeat: int, concurrency: int, work: Path) -> Medians:
    runs: dict[str, list[float]] = {workload.name: [] for workload in workloads}
    validations: dict[str, list[float]] = {workload.name: [] for workload in workloads}
    direct: list[float] = []
    for _ in range(repeat):
        # Interleaved, so that noise from other work on the machine hits ork and the baseline alike.
        for workload in workloads:
            runs[workload.name].append(time_ork(paths.ork, workload, ["run", "--concurrency", str(concurrency)], work))
            validations[workload.name].append(time_ork(paths.ork, workload, ["validate"], work))
        direct.append(time_direct(paths, calls=100_000))
    single, fan, chain = (statistics.median(runs[workload.name]) for workload in workloads)
    single_validate, fan_validate, chain_validate = (
        statistics.median(validations[workload.name]) for workload in workloads)
    return Medians(single_s=single, fan_s=fan, chain_s=chain, direct_ns=statistics.median(direct),
                   single_validate_s=single_validate, fan_validate_s=fan_validate,
                   chain_validate_s=chain_validate)


def time_ork(ork: Path, workload: Workload, command_and_options: list[str], work: Path) -> float:
    """Wall time of `ork COMMAND WORKFLOW OPTIONS...` on the workload's own store."""
    command = [str(ork), "--db", str(workload.database), command_and_options[0], str(workload.workflow),
               *command_and_options[1:]]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{workload.name}: ork exited {done.returncode}: "
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return wall


def time_direct(paths: Paths, calls: int) -> float:
    """Median nanoseconds per direct call, as printed by the baseline loop."""
    done = subprocess.run([str(paths.direct_loop), str(paths.library), TASK_FUNCTION, str(calls), "5"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the direct loop failed ({done.returncode}): {done.stderr}")
    return float(done.stdout)


def check_recorded(workload: Workload, runs: int) -> None:
    """Every task of every run must have a succeeded attempt in the store."""
    with sqlite3.connect(workload.database) as connection:
        (count,) = connection.execute("SELECT count(*) FROM attempts WHERE status = 'succeeded'").fetchone()
    expected = workload.tasks * runs
    if count != expected:
        raise SystemExit(f"{workload.name}: expected {expected} succeeded attempts recorded, found {count}")


def print_report(medians: Medians, single: Workload, fan: Workload, chain: Workload,
                 args: argparse.Namespace) -> None:
    print(f"# library benchmark - {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, --concurrency {args.concurrency}, "
          f"median of {args.repeat}")
    print(f"{'workload':24} {'tasks':>6} {'wall ms':>9} {'wall/task us':>13} {'overhead/task us':>17} "
          f"{'compile/task us':>16}")
    rows = ((single, medians.single_s, medians.single_validate_s), (fan, medians.fan_s, medians.fan_validate_s),
            (chain, medians.chain_s, medians.chain_validate_s))
    for workload, wall, validate in rows:
        if workload is single:
            overhead_text, compile_text = f"{'(fixed cost)':>17}", f"{'(fixed cost)':>16}"
        else:
            overhead = per_task_overhead_us(wall, medians.single_s, workload.tasks, medians.direct_ns)
            compile_cost = per_task_overhead_us(validate, medians.single_validate_s, workload.tasks, 0.0)
            overhead_text, compile_text = f"{overhead:17.1f}", f"{compile_cost:16.1f}"
        print(f"{workload.name:24} {workload.tasks:6d} {wall * 1e3:9.1f} {wall / workload.tasks * 1e6:13.1f} "
              f"{overhead_text} {compile_text}")
    print(f"{'direct loop (baseline)':24} {'':>6} {'':>9} {medians.direct_ns / 1e3:13.3f} {'0.0':>17}")
    print("overhead/task = (wall - W0 wall) / (tasks - 1) - direct call time: what ork adds per task, "
          "including its state writes, beyond the one-off start-up every run pays; compile/task is the part "
          "of it spent compiling the workflow (`ork validate` of the same file, same formula)")
    fan_overhead = per_task_overhead_us(medians.fan_s, medians.single_s, fan.tasks, medians.direct_ns)
    chain_hop_ms = per_task_overhead_us(medians.chain_s, medians.single_s, chain.tasks, medians.direct_ns) / 1e3
    print(f"W1: library-task overhead {fan_overhead:.1f} us per task "
          f"(target < {FAN_TARGET_US:.0f} us): {'met' if fan_overhead < FAN_TARGET_US else 'NOT met'}")
    print(f"W2: {chain_hop_ms:.3f} ms per hop (target < {CHAIN_TARGET_MS} ms): "
          f"{'met' if chain_hop_ms < CHAIN_TARGET_MS else 'NOT met'}")


def per_task_overhead_us(wall_s: float, single_s: float, tasks: int, direct_ns: float) -> float:
    if tasks <= 1:
        return 0.0
    return (wall_s - single_s) / (tasks - 1) * 1e6 - direct_ns / 1e3


if __name__ == "__main__":
    sys.exit(main())
