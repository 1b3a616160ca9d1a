#!/usr/bin/env python3
"""Benchmark of `python` tasks (issue 3): ork against a plain Python loop that
makes the same calls in one process, measured in the same run.

P1: 40 chained tasks, each `time.sleep(0.01)` (examples/fast/chain.yaml): the
    workload of Windmill's public orchestrator benchmark, where the best
    published engine needs 1.2 s and Airflow 116 s. Floor: 0.40 s of sleeping.
P2: 1 -> 200 -> 1 fan-out/fan-in of trivial tasks summing values
    (examples/fast/fan.yaml), at --concurrency 2.

Each workload runs REPEAT times, interleaved with its baseline; the median is
reported. ork's wall time is the whole `ork run` command: start-up, compiling
the workflow (importing the task file and reading its annotations), starting
the warm Python worker(s), passing every output on, and recording every state
change durably in SQLite (in a temporary directory). The baseline runs in
Debian's /usr/bin/python3 (the interpreter ork's worker embeds) and times only
its loop. Per-task overhead = (ork wall - loop wall) / tasks.

Usage: bench/python_bench.py [--ork build/bin/ork] [--repeat 5] [--python /usr/bin/python3]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHAIN_TASKS = 40
FAN_WIDTH = 200
FAN_TASKS = FAN_WIDTH + 2
CHAIN_TARGET_S = 0.55
CHAIN_OVERHEAD_TARGET_MS = 4.0
FAN_OVERHEAD_TARGET_MS = 2.0

# Run by the baseline interpreter: the same calls as the workflows, in one
# process, timed around the loop only. Prints {"chain": s, "fan": s}.
BASELINE = """
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("fast", sys.argv[1])
fast = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fast)
width = int(sys.argv[2])
started = time.perf_counter()
value = 0
for _ in range(int(sys.argv[3])):
    value = fast.tick(value)
chain = time.perf_counter() - started
started = time.perf_counter()
factor = fast.start()
leaves = {f"leaf{i:03d}": fast.leaf(factor, i) for i in range(1, width + 1)}
total = fast.total(leaves)
fan = time.perf_counter() - started
print(json.dumps({"chain": chain, "fan": fan, "chain_value": value, "total": total}))
"""


@dataclass
class Measurement:
    name: str
    workload: str
    tasks: int
    wall_s: float


def main() -> int:
    args = parse_args()
    ork = Path(args.ork).resolve()
    if not ork.exists():
        print(f"no ork binary at {ork}; build first (scripts/setup.sh)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ork-pybench-") as tmp:
        work = Path(tmp) / "fast"
        shutil.copytree(REPO / "examples" / "fast", work)
        results = run_all(ork, work, args.python, args.repeat)
    print_report(results, args.repeat)
    return 0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ork", default=str(REPO / "build" / "bin" / "ork"))
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--python", default="/usr/bin/python3", help="interpreter of the baseline loop")
    return p.parse_args()


def run_all(ork: Path, work: Path, python: str, repeat: int) -> list[Measurement]:
    results: list[Measurement] = []
    for _ in range(repeat):
        # Interleave ork and its baseline so that machine noise hits both alike.
        results.append(time_command("ork validate (compile only)", "P1", CHAIN_TASKS,
                                    [str(ork), "--db", str(work / "chain.db"), "validate", "chain.yaml"], work))
        results.append(time_command("ork run", "P1", CHAIN_TASKS,
                                    [str(ork), "--db", str(work / "chain.db"), "run", "chain.yaml"], work))
        results.append(time_command("ork run --concurrency 2", "P2", FAN_TASKS,
                                    [str(ork), "--db", str(work / "fan.db"), "run", "fan.yaml", "--concurrency", "2"],
                                    work))
        chain_loop, fan_loop = time_baseline(python, work / "fast.py")
        results.append(Measurement("python loop", "P1", CHAIN_TASKS, chain_loop))
        results.append(Measurement("python loop", "P2", FAN_TASKS, fan_loop))
    check_recorded(work / "chain.db", "t40", 40, CHAIN_TASKS * repeat)
    check_recorded(work / "fan.db", "total", 20100, FAN_TASKS * repeat)
    return results


def time_command(name: str, workload: str, tasks: int, cmd: list[str], cwd: Path) -> Measurement:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return Measurement(name, workload, tasks, wall)


def time_baseline(python: str, fast_py: Path) -> tuple[float, float]:
    done = subprocess.run([python, "-c", BASELINE, str(fast_py), str(FAN_WIDTH), str(CHAIN_TASKS)],
                          capture_output=True, text=True, check=True)
    timings = json.loads(done.stdout)
    if timings["chain_value"] != CHAIN_TASKS or timings["total"] != 20100:
        raise SystemExit(f"the baseline computed something else: {timings}")
    return float(timings["chain"]), float(timings["fan"])


def check_recorded(db: Path, last_task: str, expected_output: int, expected_attempts: int) -> None:
    """Every run must have recorded every task, with the right final value."""
    with sqlite3.connect(db) as conn:
        (attempts,) = conn.execute("SELECT count(*) FROM attempts WHERE status = 'succeeded'").fetchone()
        outputs = {row[0] for row in conn.execute("SELECT output_json FROM tasks WHERE name = ?", (last_task,))}
    if attempts != expected_attempts:
        raise SystemExit(f"{db.name}: expected {expected_attempts} succeeded attempts recorded, found {attempts}")
    if outputs != {str(expected_output)}:
        raise SystemExit(f"{db.name}: {last_task} returned {sorted(outputs)}, expected {expected_output}")


def print_report(results: list[Measurement], repeat: int) -> None:
    grouped: dict[tuple[str, str], list[Measurement]] = {}
    for m in results:
        grouped.setdefault((m.workload, m.name), []).append(m)
    print(f"# python benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, median of {repeat}")
    print(f"{'workload':8} {'runner':28} {'tasks':>6} {'wall s':>8} {'per task ms':>12}")
    medians: dict[tuple[str, str], float] = {}
    for (workload, name), ms in grouped.items():
        wall = statistics.median(m.wall_s for m in ms)
        medians[(workload, name)] = wall
        tasks = ms[0].tasks
        print(f"{workload:8} {name:28} {tasks:6d} {wall:8.4f} {wall / tasks * 1000:12.3f}")
    chain = medians[("P1", "ork run")]
    chain_overhead = (chain - medians[("P1", "python loop")]) / CHAIN_TASKS * 1000
    fan_overhead = (medians[("P2", "ork run --concurrency 2")] - medians[("P2", "python loop")]) / FAN_TASKS * 1000
    print(f"P1: ork wall {chain:.3f} s (target <= {CHAIN_TARGET_S} s, floor 0.40 s): "
          f"{'met' if chain <= CHAIN_TARGET_S else 'MISSED'}")
    print(f"P1: ork overhead per task {chain_overhead:.2f} ms (target < {CHAIN_OVERHEAD_TARGET_MS} ms): "
          f"{'met' if chain_overhead < CHAIN_OVERHEAD_TARGET_MS else 'MISSED'}")
    print(f"P2: ork overhead per task {fan_overhead:.2f} ms at concurrency 2 (target < {FAN_OVERHEAD_TARGET_MS} ms): "
          f"{'met' if fan_overhead < FAN_OVERHEAD_TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
