#!/usr/bin/env python3
"""Benchmark of compiling large workflows (issue 16): `ork validate` of N
independent `process` tasks (each `command: ['true']`), and the compile time
per task.

S1: `ork validate` of one task: what every command pays once (start-up,
    plugin loading, reading the file), taken out of the per-task figure.
SN: `ork validate` of N tasks for each N of --tasks (default 1000 and
    10 000; target for 10 000: <= 0.25 s).

compile ms/task = (wall(N) - wall(1)) / (N - 1). With --compare OTHER_ORK
(e.g. an ork built from main) every case runs with both binaries,
interleaved, so machine noise hits both alike and the two columns come from
the same run. Validation only: nothing is recorded or run.

Each case runs REPEAT times; medians are reported, with user and system CPU.

Usage: bench/scale_bench.py [--ork build/bin/ork] [--compare OTHER_ORK] [--repeat 5] [--tasks 1000 10000]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measurement:
    runner: str
    tasks: int
    wall_s: float
    user_s: float
    sys_s: float


def main() -> int:
    args = parse_args()
    runners = {"ork": Path(args.ork).resolve()}
    if args.compare:
        runners["compare"] = Path(args.compare).resolve()
    for name, binary in runners.items():
        if not binary.exists():
            print(f"no {name} binary at {binary}; build first (scripts/setup.sh)", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="ork-scale-bench-") as tmp:
        results = run_all(runners, Path(tmp), sorted(set([1] + args.tasks)), args.repeat)
    print_report(results, runners, args)
    return 0


def parse_args() -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ork", default=str(repo / "build" / "bin" / "ork"))
    p.add_argument("--compare", default=None, help="another ork binary to measure beside --ork (e.g. main's)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--tasks", type=int, nargs="+", default=[1000, 10_000])
    return p.parse_args()


def run_all(runners: dict[str, Path], work: Path, sizes: list[int], repeat: int) -> list[Measurement]:
    files = {n: write_workflow(work / f"fan{n}.yaml", n) for n in sizes}
    results: list[Measurement] = []
    for _ in range(repeat):
        for n in sizes:
            for name, binary in runners.items():
                results.append(time_validate(name, binary, files[n], n, work))
    return results


def write_workflow(path: Path, n: int) -> Path:
    lines = [f"name: scale_{n}", "tasks:"]
    lines += [f"  t{i}: {{executor: process, command: ['true']}}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def time_validate(runner: str, ork: Path, workflow: Path, tasks: int, cwd: Path) -> Measurement:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(ork), "validate", str(workflow)], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{runner}: ork validate of {tasks} tasks failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return Measurement(runner, tasks, wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)


def print_report(results: list[Measurement], runners: dict[str, Path], args: argparse.Namespace) -> None:
    cases: dict[tuple[str, int], list[Measurement]] = {}
    for m in results:
        cases.setdefault((m.runner, m.tasks), []).append(m)
    print(f"# scale benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, load {os.getloadavg()[0]:.2f}, median of {args.repeat}")
    for name, binary in runners.items():
        print(f"# {name}: {binary}")
    print(f"{'runner':8} {'tasks':>6} {'wall s':>8} {'user s':>8} {'sys s':>8} {'compile ms/task':>16}")
    for name in runners:
        start_up = statistics.median(m.wall_s for m in cases[(name, 1)])
        for (runner, tasks), ms in sorted(cases.items()):
            if runner != name:
                continue
            wall = statistics.median(m.wall_s for m in ms)
            user = statistics.median(m.user_s for m in ms)
            system = statistics.median(m.sys_s for m in ms)
            per_task = f"{(wall - start_up) / (tasks - 1) * 1000:16.4f}" if tasks > 1 else f"{'(start-up)':>16}"
            print(f"{runner:8} {tasks:6d} {wall:8.3f} {user:8.3f} {system:8.3f} {per_task}")
    if 10_000 in args.tasks:
        wall = statistics.median(m.wall_s for m in cases[("ork", 10_000)])
        print(f"ork validate of 10 000 tasks: {wall:.3f} s (target <= 0.25 s)")


if __name__ == "__main__":
    sys.exit(main())
