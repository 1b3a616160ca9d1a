#!/usr/bin/env python3
"""Benchmark of `ork worker` over a private PostgreSQL (issue 7, item 4).

T: throughput of trivial `true` process tasks on a 1 -> N -> 1 fan, scheduled
   by `ork run --workers-only --concurrency 8` and run by 1, 2 and 4 workers
   (`--slots 2` each), beside the same workflow run locally by `ork run
   --concurrency 8` (no workers) against the same server.
L: dispatch latency ready -> started on a chain of 100 tasks with 2 workers
   (and, for reference, run locally).

Latency method: every chain task is `echo NAME $(date +%s%N) >> stamps`, so
its start is recorded by the task itself in ns. "Ready" is the moment its
upstream finished: the upstream's queue row `finished_at` (ms, written by the
worker right after the process exited) with workers, the upstream's
`attempts.finished_at` when run locally. latency = start - ready; the ms
resolution of `finished_at` (truncated) can add up to 1 ms. With workers the
hop is also split from the queue row: notice (upstream done -> next enqueued,
the scheduler's polling and state writes), claim (enqueued -> claimed, the
workers' polling) and spawn (claimed -> the task's own stamp).

Each measurement uses a fresh database on the server. The server lives in a
temporary folder and is stopped and removed at the end, also on failure.
Must run as root (initdb runs as the `postgres` user through `su`).

Usage: bench/worker_bench.py [--ork build-h15/bin/ork] [--tasks 1000] [--chain 100]
                             [--workers 1,2,4] [--slots 2] [--repeat 1] [--port 55439]
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class Throughput:
    runner: str
    workers: int
    tasks: int
    wall_s: list[float] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)

    @property
    def tasks_per_s(self) -> float:
        return self.tasks / self.median_s


@dataclass
class Latency:
    runner: str
    hops_ms: list[float]
    notice_ms: list[float]
    claim_ms: list[float]
    spawn_ms: list[float]


def main() -> int:
    args = parse_args()
    ork = Path(args.ork).resolve()
    if not ork.exists():
        print(f"no ork binary at {ork}; build it first (see the usage line above)", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("run as root: the private PostgreSQL is created through `su postgres`", file=sys.stderr)
        return 2
    worker_counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="ork-worker-bench-") as tmp, PostgresServer(args.port) as server:
        work = Path(tmp)
        bench = Bench(ork, server, work, args.slots, args.concurrency, args.task_ms)
        throughput = bench.throughput(args.tasks, worker_counts, args.repeat)
        latency = bench.latency(args.chain)
    print_report(throughput, latency, args)
    return 0


def parse_args() -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ork", default=str(repo / "build-h15" / "bin" / "ork"))
    p.add_argument("--tasks", type=int, default=1000, help="width of the 1 -> N -> 1 fan")
    p.add_argument("--chain", type=int, default=100)
    p.add_argument("--workers", default="1,2,4", help="worker counts to measure, comma-separated")
    p.add_argument("--slots", type=int, default=2)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--port", type=int, default=55439)
    p.add_argument("--task-ms", type=int, default=0,
                   help="each fan task sleeps this long (0: `true`); with waiting tasks the fan shows how "
                        "throughput scales with worker slots rather than with CPU")
    return p.parse_args()


class PostgresServer:
    """A throw-away PostgreSQL 15 cluster in a temporary folder owned by
    `postgres`, trusting the user `ork` on 127.0.0.1:port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="ork-worker-bench-pg-"))
        self.data = self.folder / "data"
        self.started = False

    def __enter__(self) -> "PostgresServer":
        try:
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.remove()

    def start(self) -> None:
        self.folder.chmod(0o755)
        shutil.chown(self.folder, "postgres", "postgres")
        as_postgres(f"{PG_BIN}/initdb -D {self.data} -A trust -U ork")
        # fsync stays on: the figures must include durable commits.
        as_postgres(f"{PG_BIN}/pg_ctl -D {self.data} -l {self.folder}/server.log -w start "
                    f"-o '-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200'")
        self.started = True

    def remove(self) -> None:
        if self.started:
            as_postgres(f"{PG_BIN}/pg_ctl -D {self.data} -m fast -w stop", check=False)
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> str:
        run_checked([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "ork", name])
        return f"postgresql://ork@127.0.0.1:{self.port}/{name}"

    def query(self, database: str, sql: str) -> list[list[str]]:
        done = run_checked([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "ork",
                            "-d", database, "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", sql])
        return [line.split("|") for line in done.stdout.splitlines() if line]


def as_postgres(command: str, check: bool = True) -> None:
    done = subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"`{command}` failed ({done.returncode}): {done.stderr[-2000:]}")


def run_checked(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"`{' '.join(cmd[:4])} ...` failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


class Bench:
    def __init__(self, ork: Path, server: PostgresServer, work: Path, slots: int, concurrency: int,
                 task_ms: int = 0) -> None:
        self.task_ms = task_ms
        self.ork = ork
        self.server = server
        self.work = work
        self.slots = slots
        self.concurrency = concurrency
        self.databases = 0

    def throughput(self, width: int, worker_counts: list[int], repeat: int) -> list[Throughput]:
        fan = write_fan(self.work / "fan.yaml", width, self.task_ms)
        tasks = width + 2
        results = [Throughput("ork run (local)", 0, tasks)]
        results += [Throughput("ork worker x" + str(n), n, tasks) for n in worker_counts]
        for _ in range(repeat):
            # Interleave the runners so that machine noise hits them alike.
            for result in results:
                database, url = self.fresh_database()
                result.wall_s.append(self.timed_run(fan, url, result.workers))
                self.check_succeeded(database, tasks)
        return results

    def latency(self, length: int) -> list[Latency]:
        results = []
        for workers in (2, 0):
            stamps = self.work / f"stamps-{workers}.txt"
            chain = write_chain(self.work / f"chain-{workers}.yaml", length, stamps)
            database, url = self.fresh_database()
            self.timed_run(chain, url, workers)
            self.check_succeeded(database, length)
            runner = f"ork worker x{workers}" if workers else "ork run (local)"
            results.append(self.hop_latencies(runner, database, stamps, length, workers > 0))
        return results

    def fresh_database(self) -> tuple[str, str]:
        self.databases += 1
        name = f"bench{self.databases}"
        return name, self.server.create_database(name)

    def timed_run(self, workflow: Path, url: str, workers: int) -> float:
        """Wall time of `ork run`, with `workers` workers claiming its attempts
        (none: the run executes its tasks itself)."""
        with WorkerPool(self.ork, url, workers, self.slots, self.work):
            cmd = [str(self.ork), "--db", url, "run", str(workflow), "--concurrency", str(self.concurrency)]
            if workers:
                cmd.append("--workers-only")
            start = time.perf_counter()
            done = subprocess.run(cmd, cwd=self.work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
        return wall

    def check_succeeded(self, database: str, expected: int) -> None:
        """Every task must have run once and been recorded as succeeded."""
        [[count]] = self.server.query(database, "SELECT count(*) FROM attempts WHERE status = 'succeeded'")
        if int(count) != expected:
            raise SystemExit(f"{database}: expected {expected} succeeded attempts recorded, found {count}")

    def hop_latencies(self, runner: str, database: str, stamps: Path, length: int, queued: bool) -> Latency:
        started_ns = read_stamps(stamps, length)
        if queued:
            rows = self.server.query(database, "SELECT task, enqueued_at, claimed_at, finished_at FROM queue")
            queue = {task: (int(e), int(c), int(f)) for task, e, c, f in rows}
            finished_ms = {task: times[2] for task, times in queue.items()}
        else:
            rows = self.server.query(database, "SELECT task, finished_at FROM attempts")
            queue = {}
            finished_ms = {task: int(f) for task, f in rows}
        result = Latency(runner, [], [], [], [])
        for i in range(1, length):
            task, upstream = f"t{i}", f"t{i - 1}"
            result.hops_ms.append(started_ns[task] / 1e6 - finished_ms[upstream])
            if queued:
                enqueued, claimed, _ = queue[task]
                result.notice_ms.append(enqueued - finished_ms[upstream])
                result.claim_ms.append(claimed - enqueued)
                result.spawn_ms.append(started_ns[task] / 1e6 - claimed)
        return result


class WorkerPool:
    """`count` `ork worker` processes on one database, started before the run
    and stopped with SIGTERM after it."""

    def __init__(self, ork: Path, url: str, count: int, slots: int, work: Path) -> None:
        self.ork = ork
        self.url = url
        self.count = count
        self.slots = slots
        self.work = work
        self.processes: list[subprocess.Popen[str]] = []

    def __enter__(self) -> "WorkerPool":
        try:
            for i in range(self.count):
                self.processes.append(self.start_worker(f"w{i + 1}"))
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start_worker(self, name: str) -> subprocess.Popen[str]:
        log = open(self.work / f"worker-{name}.log", "a")
        with log:
            process = subprocess.Popen(
                [str(self.ork), "--db", self.url, "worker", "--executors", "process", "--slots", str(self.slots),
                 "--name", name],
                cwd=self.work, stdout=subprocess.PIPE, stderr=log, text=True)
        # The worker prints its banner once its store is open: from then on it claims.
        assert process.stdout is not None
        banner = process.stdout.readline()
        if not banner.startswith("ork worker"):
            process.kill()
            process.wait()
            raise SystemExit(f"worker {name} did not start: {(self.work / f'worker-{name}.log').read_text()[-2000:]}")
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        self.processes.clear()


def write_fan(path: Path, width: int, task_ms: int = 0) -> Path:
    work = f"['sleep', '{task_ms / 1000:.3f}']" if task_ms > 0 else "['true']"
    lines = ["name: bench_fan", "tasks:", "  src: {executor: process, command: ['true']}"]
    middle = [f"m{i}" for i in range(width)]
    lines += [f"  {name}: {{executor: process, command: {work}, depends_on: [src]}}" for name in middle]
    lines.append(f"  sink: {{executor: process, command: ['true'], depends_on: [{', '.join(middle)}]}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_chain(path: Path, length: int, stamps: Path) -> Path:
    lines = ["name: bench_chain", "tasks:"]
    for i in range(length):
        dep = f", depends_on: [t{i - 1}]" if i > 0 else ""
        lines.append(f"  t{i}: {{executor: process, command: 'echo t{i} $(date +%s%N) >> {stamps}'{dep}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def read_stamps(stamps: Path, length: int) -> dict[str, int]:
    started: dict[str, int] = {}
    for line in stamps.read_text().splitlines():
        task, ns = line.split()
        started.setdefault(task, int(ns))
    if len(started) != length:
        raise SystemExit(f"{stamps}: expected {length} task start stamps, found {len(started)}")
    return started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def print_report(throughput: list[Throughput], latency: list[Latency], args: argparse.Namespace) -> None:
    print(f"# worker benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, PostgreSQL 15 (private, fsync on), "
          f"median of {args.repeat}")
    what = f"`sleep {args.task_ms} ms`" if args.task_ms else "`true`"
    print(f"T: 1 -> {args.tasks} -> 1 fan of {what}, scheduler --concurrency {args.concurrency}, "
          f"workers --slots {args.slots}")
    print(f"{'runner':20} {'workers':>7} {'tasks':>6} {'wall s':>8} {'tasks/s':>9}")
    for t in throughput:
        print(f"{t.runner:20} {t.workers:7d} {t.tasks:6d} {t.median_s:8.3f} {t.tasks_per_s:9.1f}")
    print(f"L: chain of {args.chain} tasks, ready (upstream finished) -> started (task's own stamp), ms")
    print(f"{'runner':20} {'part':22} {'p50':>8} {'p99':>8} {'max':>8}")
    for lat in latency:
        parts = [("ready -> started", lat.hops_ms)]
        if lat.notice_ms:
            parts += [("  notice (-> enqueued)", lat.notice_ms), ("  claim (-> claimed)", lat.claim_ms),
                      ("  spawn (-> started)", lat.spawn_ms)]
        for part, values in parts:
            print(f"{lat.runner:20} {part:22} {statistics.median(values):8.2f} {percentile(values, 99):8.2f} "
                  f"{max(values):8.2f}")
    with_workers = sorted((t for t in throughput if t.workers), key=lambda t: t.workers)
    rates = [t.tasks_per_s for t in with_workers]
    rises = all(a < b for a, b in zip(rates, rates[1:]))
    shown = ", ".join(f"{t.workers}: {t.tasks_per_s:.1f}" for t in with_workers)
    print(f"throughput rises with workers: {shown} tasks/s — {'met' if rises else 'NOT met'}")
    p50 = statistics.median(latency[0].hops_ms)
    print(f"dispatch latency p50 < 5 ms ({latency[0].runner}): {p50:.2f} ms — {'met' if p50 < 5 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
