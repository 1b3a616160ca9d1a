#!/usr/bin/env python3
"""Benchmark of `process` tasks (issue 2): ork against baselines measured in
the same run on the same machine.

W1: 1000 independent `true` tasks at concurrency 2, beside `xargs -P2` (and
    `ninja -j2` when installed).
W2: a chain of 200 `true` tasks, beside a sequential shell loop.

Each workload runs REPEAT times; the median wall time is reported. ork's
figures include compiling the workflow and recording every task's state
durably in SQLite (.ork/ork.db in a temporary directory).

Usage: bench/process_bench.py [--ork build/bin/ork] [--repeat 3] [--tasks 1000] [--chain 200]
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measurement:
    name: str
    workload: str
    tasks: int
    wall_s: float

    @property
    def per_task_ms(self) -> float:
        return self.wall_s / self.tasks * 1000.0


def main() -> int:
    args = parse_args()
    ork = Path(args.ork).resolve()
    if not ork.exists():
        print(f"no ork binary at {ork}; build first (scripts/setup.sh)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ork-bench-") as tmp:
        work = Path(tmp)
        results = run_all(ork, work, args.tasks, args.chain, args.repeat)
    print_report(results, args)
    return 0


def parse_args() -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ork", default=str(repo / "build" / "bin" / "ork"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--chain", type=int, default=200)
    return p.parse_args()


def run_all(ork: Path, work: Path, n_tasks: int, n_chain: int, repeat: int) -> list[Measurement]:
    fan = write_workflow(work / "w1.yaml", n_tasks, chained=False)
    chain = write_workflow(work / "w2.yaml", n_chain, chained=True)
    ninja_file = write_ninja(work / "ninja", n_tasks)
    results: list[Measurement] = []
    for _ in range(repeat):
        # Interleave ork and its baselines so that machine noise hits both alike.
        results.append(time_it("ork --concurrency 2", "W1", n_tasks,
                               [str(ork), "--db", str(work / "w1.db"), "run", str(fan), "--concurrency", "2"], work))
        results.append(time_it("xargs -P2", "W1", n_tasks,
                               ["sh", "-c", f"seq {n_tasks} | xargs -P2 -I{{}} true"], work))
        if shutil.which("ninja"):
            results.append(time_it("ninja -j2", "W1", n_tasks, ["ninja", "-j2", "-C", str(ninja_file.parent)], work,
                                   before=lambda: (ninja_file.parent / ".ninja_log").unlink(missing_ok=True)))
        results.append(time_it("ork (chain)", "W2", n_chain,
                               [str(ork), "--db", str(work / "w2.db"), "run", str(chain), "--concurrency", "2"], work))
        results.append(time_it("sh loop", "W2", n_chain,
                               ["sh", "-c", f"for i in $(seq {n_chain}); do /usr/bin/true; done"], work))
    check_recorded(work / "w1.db", n_tasks * repeat)
    return results


def write_workflow(path: Path, n: int, chained: bool) -> Path:
    lines = ["name: bench_" + ("chain" if chained else "fan"), "tasks:"]
    for i in range(n):
        dep = f", depends_on: [t{i - 1}]" if chained and i > 0 else ""
        lines.append(f"  t{i}: {{executor: process, command: ['true']{dep}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_ninja(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rules = ["rule t", "  command = true", ""]
    rules += [f"build phony{i}: t" for i in range(n)]
    rules.append("default " + " ".join(f"phony{i}" for i in range(n)))
    path = folder / "build.ninja"
    path.write_text("\n".join(rules) + "\n")
    return path


def time_it(name: str, workload: str, tasks: int, cmd: list[str], cwd: Path,
            before: "object | None" = None) -> Measurement:
    if callable(before):
        before()
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return Measurement(name, workload, tasks, wall)


def check_recorded(db: Path, expected: int) -> None:
    """Every task's state must have been recorded: count succeeded attempts."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM attempts WHERE status = 'succeeded'").fetchone()
    if count != expected:
        raise SystemExit(f"expected {expected} succeeded attempts recorded, found {count}")


def print_report(results: list[Measurement], args: argparse.Namespace) -> None:
    by_name: dict[tuple[str, str], list[Measurement]] = {}
    for m in results:
        by_name.setdefault((m.workload, m.name), []).append(m)
    print(f"# process benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, median of {args.repeat}")
    print(f"{'workload':8} {'runner':22} {'tasks':>6} {'wall s':>8} {'per task ms':>12}")
    medians: dict[tuple[str, str], float] = {}
    for (workload, name), ms in by_name.items():
        wall = statistics.median(m.wall_s for m in ms)
        medians[(workload, name)] = wall
        tasks = ms[0].tasks
        print(f"{workload:8} {name:22} {tasks:6d} {wall:8.3f} {wall / tasks * 1000:12.2f}")
    ork_w1 = medians[("W1", "ork --concurrency 2")]
    xargs_w1 = medians[("W1", "xargs -P2")]
    print(f"W1: ork / xargs -P2 = {ork_w1 / xargs_w1:.2f}x (target <= 1.5x)")
    ork_w2 = medians[("W2", "ork (chain)")]
    loop_w2 = medians[("W2", "sh loop")]
    print(f"W2: ork scheduling overhead per hop = {(ork_w2 - loop_w2) / args.chain * 1000:.2f} ms (target < 2 ms)")


if __name__ == "__main__":
    sys.exit(main())
