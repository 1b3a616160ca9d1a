#!/usr/bin/env python3
"""Benchmark of `ork serve`: API latency and live-event delivery.

1. p50/p99 latency of `GET /api/runs/{id}` for a finished run of a 200-task
   workflow (keep-alive connection, like a browser).
2. Time from a task finishing (the `at` the store recorded for the event) to
   that event reaching a Server-Sent Events client.

Usage: bench/api_bench.py [--ork build/bin/ork] [--requests 2000]
Prints a Markdown table; results are recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Server:
    process: subprocess.Popen[str]
    host: str
    port: int


@dataclass
class EventLog:
    """Events seen by the SSE client, with the wall time each arrived."""

    arrivals: list[tuple[float, dict[str, object]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def wide_workflow(tasks: int) -> str:
    lines = ["name: wide", "tasks:"]
    for i in range(tasks):
        lines += [f"  t{i:03d}:", "    executor: process", "    command: \"true\""]
        if i > 0:
            lines.append(f"    depends_on: [t{(i - 1) // 2:03d}]")
    return "\n".join(lines) + "\n"


def chain_workflow(tasks: int) -> str:
    lines = ["name: chain", "tasks:"]
    for i in range(tasks):
        lines += [f"  s{i:02d}:", "    executor: process", "    command: sleep 0.1"]
        if i > 0:
            lines.append(f"    depends_on: [s{i - 1:02d}]")
    return "\n".join(lines) + "\n"


def start_server(ork: Path, directory: Path) -> Server:
    process = subprocess.Popen(
        [str(ork), "--db", str(directory / "ork.db"), "serve", "--bind", "127.0.0.1:0", "--workflows", str(directory / "workflows")],
        stdout=subprocess.PIPE, text=True, cwd=directory, env={**os.environ, "ORK_API_TOKEN": ""})
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"listening on http://([0-9.]+):(\d+)", line)
    if not match:
        raise RuntimeError(f"ork serve did not start: {line!r}")
    return Server(process, match.group(1), int(match.group(2)))


def request(conn: http.client.HTTPConnection, method: str, path: str, body: str | None = None) -> dict[str, object]:
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data}")
    return data


def run_to_end(conn: http.client.HTTPConnection, workflow: str) -> str:
    run_id = str(request(conn, "POST", f"/api/workflows/{workflow}/runs", "{}")["run_id"])
    while request(conn, "GET", f"/api/runs/{run_id}")["status"] in ("pending", "running"):
        time.sleep(0.05)
    return run_id


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure_get_run(server: Server, run_id: str, count: int) -> list[float]:
    conn = http.client.HTTPConnection(server.host, server.port)
    for _ in range(50):  # warm-up
        request(conn, "GET", f"/api/runs/{run_id}")
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        request(conn, "GET", f"/api/runs/{run_id}")
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def read_events(server: Server, log: EventLog, stop: threading.Event) -> None:
    conn = http.client.HTTPConnection(server.host, server.port)
    conn.request("GET", "/api/events")
    response = conn.getresponse()
    data = ""
    while not stop.is_set():
        line = response.readline().decode()
        if not line:
            return
        if line.startswith("data: "):
            data = line[6:]
        elif line == "\n" and data:
            with log.lock:
                log.arrivals.append((time.time(), json.loads(data)))
            data = ""


def measure_event_delivery(server: Server, runs: int) -> list[float]:
    log = EventLog()
    stop = threading.Event()
    reader = threading.Thread(target=read_events, args=(server, log, stop), daemon=True)
    reader.start()
    time.sleep(0.3)
    conn = http.client.HTTPConnection(server.host, server.port)
    for _ in range(runs):
        run_to_end(conn, "chain")
    time.sleep(0.3)
    stop.set()
    latencies = []
    with log.lock:
        for arrived, event in log.arrivals:
            if event.get("kind") == "task" and event.get("status") == "succeeded" and isinstance(event.get("at"), str):
                at = datetime.datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")).timestamp()
                latencies.append((arrived - at) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ork", type=Path, default=Path(__file__).resolve().parent.parent / "build" / "bin" / "ork")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ork-api-bench-") as temp:
        directory = Path(temp)
        (directory / "workflows").mkdir()
        (directory / "workflows" / "wide.yaml").write_text(wide_workflow(200))
        (directory / "workflows" / "chain.yaml").write_text(chain_workflow(10))
        server = start_server(args.ork.resolve(), directory)
        try:
            conn = http.client.HTTPConnection(server.host, server.port)
            run_id = run_to_end(conn, "wide")
            tasks = request(conn, "GET", f"/api/runs/{run_id}")["tasks"]
            assert isinstance(tasks, dict) and len(tasks) == 200
            get_run = measure_get_run(server, run_id, args.requests)
            delivery = measure_event_delivery(server, args.runs)
        finally:
            server.process.terminate()
            server.process.wait(timeout=30)

    print("| measure | samples | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    print(f"| GET /api/runs/{{id}}, 200 tasks, keep-alive | {len(get_run)} | {statistics.median(get_run):.2f} ms | "
          f"{percentile(get_run, 99):.2f} ms | {max(get_run):.2f} ms |")
    print(f"| task finished → SSE client (store `at` to arrival) | {len(delivery)} | {statistics.median(delivery):.1f} ms | "
          f"{percentile(delivery, 99):.1f} ms | {max(delivery):.1f} ms |")


if __name__ == "__main__":
    main()
