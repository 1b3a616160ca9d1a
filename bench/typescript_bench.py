#!/usr/bin/env python3
"""Benchmark of the typescript language plugin (issue 13): the per-task
overhead of a warm TypeScript task and the cold and warm `prepare` times, each
beside a baseline measured in the same run, on the same machine.

Prepare (the plugin's language table, called through its C ABI with ctypes,
as the host calls it at compile time):
  cold: introspect + prepare of a task file with an empty build directory
        (one `node ork_ts_compile.js`: type-check, signatures, emit);
        baseline: `node -e "require('typescript')"`, what any compile pays
        just to start Node.js and load the compiler.
  warm: prepare of the unchanged file (target < 5 ms); baseline: the
        plugin's `describe`, a call that does nothing but answer.

Per task (`ork run` of workflows of TypeScript tasks, {file: tasks/measure.ts,
function: measure}, a trivial function; --concurrency 2):
  W0 a single task (the fixed cost every run pays, taken out of the figures),
  W1 a chain of TASKS tasks (one at a time, so one warm worker serves them
     all, as in W0: worker start-up is not in the difference),
  baselines: the same function called in a plain node loop (JSON in and out),
  and the same chain of `process` tasks running `true`.
overhead/task = (wall - W0 wall) / (tasks - 1) - one direct call; target <= 1 ms.

Each measure is repeated REPEAT times, interleaved; medians are reported.

Usage: bench/typescript_bench.py [--build build] [--repeat 5] [--tasks 200]
"""
from __future__ import annotations

import argparse
import ctypes
import json
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
from typing import Any, Callable

TASK_SOURCE = """\
export type int = number;
export function measure(text: string): { bytes: int } {
  return { bytes: text.length };
}
"""
TASK_INPUT = "hello"
TASK_TARGET_MS = 1.0
WARM_PREPARE_TARGET_MS = 5.0


class Str(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("len", ctypes.c_size_t)]


def to_str(text: str) -> Str:
    data = text.encode()
    return Str(data, len(data))


def from_str(value: Str) -> str:
    return ctypes.string_at(value.ptr, value.len).decode() if value.ptr else ""


ERROR_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, Str, Str)
SIGNATURE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, Str)
WRITE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, Str)
SET_ERROR_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, Str)
LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, Str)


class HostApi(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("api_major", ctypes.c_uint32), ("api_minor", ctypes.c_uint32),
                ("set_error", SET_ERROR_FN), ("log", LOG_FN)]


class CheckSink(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("ctx", ctypes.c_void_p), ("error", ERROR_FN),
                ("signature", SIGNATURE_FN)]


class JsonSink(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("ctx", ctypes.c_void_p), ("write", WRITE_FN)]


class LanguageTask(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32)] + [
        (name, Str) for name in ("workflow_name", "workflow_file", "workflow_dir", "task_name", "file", "file_path",
                                 "function", "config_json", "executor", "build_dir", "workdir")
    ] + [("env", ctypes.c_void_p), ("env_count", ctypes.c_size_t), ("check_pass", ctypes.c_uint64)]


DESCRIBE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(JsonSink), ctypes.c_void_p)
INTROSPECT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(LanguageTask),
                                 ctypes.POINTER(CheckSink), ctypes.c_void_p)
PREPARE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(LanguageTask), ctypes.POINTER(CheckSink),
                              ctypes.POINTER(JsonSink), ctypes.c_void_p)


class LanguageVtable(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("extensions", ctypes.c_void_p),
                ("task_keys", ctypes.c_void_p), ("executors", ctypes.c_void_p), ("describe", DESCRIBE_FN),
                ("introspect", INTROSPECT_FN), ("prepare", PREPARE_FN)]


INIT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(HostApi), ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class Descriptor(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("api_major", ctypes.c_uint32),
                ("min_host_minor", ctypes.c_uint32), ("name", ctypes.c_char_p), ("version", ctypes.c_char_p),
                ("description", ctypes.c_char_p), ("init", INIT_FN), ("shutdown", ctypes.c_void_p),
                ("executor", ctypes.c_void_p), ("storage", ctypes.c_void_p),
                ("language", ctypes.POINTER(LanguageVtable))]


class Plugin:
    """The typescript plugin loaded as the host loads it; its language calls, timed."""

    def __init__(self, path: Path) -> None:
        library = ctypes.CDLL(str(path), mode=os.RTLD_NOW | os.RTLD_LOCAL)
        library.ork_plugin_describe.restype = ctypes.POINTER(Descriptor)
        self.descriptor = library.ork_plugin_describe().contents
        self._callbacks = (SET_ERROR_FN(lambda slot, message: None), LOG_FN(lambda level, message: None))
        self.host = HostApi(ctypes.sizeof(HostApi), self.descriptor.api_major, 7, *self._callbacks)
        self.state = ctypes.c_void_p()
        if self.descriptor.init(ctypes.byref(self.host), ctypes.byref(self.state), None) != 0:
            raise SystemExit("the typescript plugin's init failed")
        self.language = self.descriptor.language.contents

    def describe(self) -> str:
        out: list[str] = []
        sink = JsonSink(ctypes.sizeof(JsonSink), None, WRITE_FN(lambda ctx, json_text: out.append(from_str(json_text))))
        self.language.describe(self.state, ctypes.byref(sink), None)
        return out[0]

    def introspect_and_prepare(self, workflow_dir: Path, file: str, function: str, build_dir: Path,
                               introspect: bool = True) -> dict[str, Any]:
        errors: list[str] = []
        configs: list[str] = []
        keep = [to_str(s) for s in ("bench", str(workflow_dir / "wf.yaml"), str(workflow_dir), "t", file,
                                    str(workflow_dir / file), function, "{}", "node", str(build_dir),
                                    str(workflow_dir))]
        task = LanguageTask(ctypes.sizeof(LanguageTask), *keep, None, 0, 0)
        check = CheckSink(ctypes.sizeof(CheckSink), None,
                          ERROR_FN(lambda ctx, key, message: errors.append(from_str(message))),
                          SIGNATURE_FN(lambda ctx, signature: None))
        out = JsonSink(ctypes.sizeof(JsonSink), None, WRITE_FN(lambda ctx, text: configs.append(from_str(text))))
        if introspect:
            self.language.introspect(self.state, ctypes.byref(task), ctypes.byref(check), None)
        self.language.prepare(self.state, ctypes.byref(task), ctypes.byref(check), ctypes.byref(out), None)
        if errors or not configs:
            raise SystemExit(f"prepare failed: {errors}")
        return json.loads(configs[0])["config"]


@dataclass
class Results:
    cold_prepare_s: float
    node_ts_load_s: float
    warm_prepare_s: float
    describe_s: float
    single_s: float
    chain_s: float
    process_chain_s: float
    process_single_s: float
    node_loop_ns: float


def main() -> int:
    args = parse_args()
    build = args.build.resolve()
    ork = build / "bin" / "ork"
    plugin_path = build / "lib" / "ork" / "plugins" / "ork_language_typescript.so"
    node = shutil.which("node")
    if not ork.exists() or not plugin_path.exists() or node is None:
        raise SystemExit(f"needs {ork}, {plugin_path} and node on PATH: build ork first")
    plugin = Plugin(plugin_path)
    with tempfile.TemporaryDirectory(prefix="ork-ts-bench-") as temp:
        work = Path(temp)
        (work / "tasks").mkdir()
        (work / "tasks" / "measure.ts").write_text(TASK_SOURCE)
        results = measure(plugin, Path(node), build, ork, work, args)
    print_report(results, plugin, args)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=200)
    return parser.parse_args()


def measure(plugin: Plugin, node: Path, build: Path, ork: Path, work: Path, args: argparse.Namespace) -> Results:
    samples: dict[str, list[float]] = {}

    def sample(name: str, seconds: float) -> None:
        samples.setdefault(name, []).append(seconds)

    config: dict[str, Any] = {}
    toolchain = build / "lib" / "ork" / "typescript"
    for round_ in range(args.repeat):
        # Interleaved, so that noise from other work on the machine hits every measure alike.
        cold_dir = work / f"build-cold-{round_}"
        cold_dir.mkdir()
        sample("cold", timed(lambda: plugin.introspect_and_prepare(work, "tasks/measure.ts", "measure", cold_dir)))
        sample("node_ts", timed(lambda: run_checked([str(node), "-e", "require('typescript')"], cwd=toolchain)))
        config = plugin.introspect_and_prepare(work, "tasks/measure.ts", "measure", cold_dir)
        sample("warm", min_of(50, lambda: plugin.introspect_and_prepare(work, "tasks/measure.ts", "measure",
                                                                          cold_dir, introspect=False)))
        sample("describe", min_of(50, plugin.describe))
        for name, workflow in workflows(work, config, args.tasks).items():
            database = work / f"{name}-{round_}.db"
            # Untimed: a compile the first time (then cached), so the runs measure warm tasks.
            run_checked([str(ork), "--db", str(database), "validate", str(workflow)], cwd=work)
            sample(name, timed(lambda: run_checked([str(ork), "--db", str(database), "run", str(workflow),
                                                     "--concurrency", "2"], cwd=work)))
        sample("loop", node_loop_ns(node, config, args.tasks * 50))
    median = {name: statistics.median(values) for name, values in samples.items()}
    return Results(cold_prepare_s=median["cold"], node_ts_load_s=median["node_ts"], warm_prepare_s=median["warm"],
                   describe_s=median["describe"], single_s=median["single"], chain_s=median["chain"],
                   process_chain_s=median["process_chain"], process_single_s=median["process_single"],
                   node_loop_ns=median["loop"])


def workflows(work: Path, config: dict[str, Any], tasks: int) -> dict[str, Path]:
    node_task = f"{{file: tasks/measure.ts, function: measure, inputs: {{text: {TASK_INPUT}}}"
    process_task = "{executor: process, command: ['true']"
    written: dict[str, Path] = {}
    for name, task, count in (("single", node_task, 1), ("chain", node_task, tasks),
                              ("process_single", process_task, 1), ("process_chain", process_task, tasks)):
        path = work / f"{name}.yaml"
        lines = [f"name: bench_ts_{name}", "tasks:", f"  t0: {task}}}"]
        lines += [f"  t{i}: {task}, depends_on: [t{i - 1}]}}" for i in range(1, count)]
        path.write_text("\n".join(lines) + "\n")
        written[name] = path
    return written


def node_loop_ns(node: Path, config: dict[str, Any], calls: int) -> float:
    """Nanoseconds per call of the built function in a plain node loop (the baseline)."""
    script = (f"const f = require({json.dumps(config['module'])}).measure;"
              f"const n = {calls}; let sink = 0; const t0 = process.hrtime.bigint();"
              f"for (let i = 0; i < n; i++) sink += JSON.stringify(f(JSON.parse('{{\"text\":\"{TASK_INPUT}\"}}').text)).length;"
              "const t1 = process.hrtime.bigint(); console.log(Number(t1 - t0) / n, sink > 0);")
    done = run_checked([str(node), "-e", script])
    return float(done.split()[0])


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def min_of(times: int, action: Callable[[], Any]) -> float:
    return min(timed(action) for _ in range(times))


def run_checked(command: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def print_report(results: Results, plugin: Plugin, args: argparse.Namespace) -> None:
    described = json.loads(plugin.describe())
    load = os.getloadavg()
    print(f"# typescript benchmark - {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}, {platform.platform()}, Node.js {described['version']}, "
          f"TypeScript {described['typescript']}, --concurrency 2, median of {args.repeat}")
    print(f"{'measure':44} {'ms':>10}")
    print(f"{'cold prepare (introspect + prepare, empty cache)':44} {results.cold_prepare_s * 1e3:10.1f}")
    print(f"{'  baseline: node -e require(typescript)':44} {results.node_ts_load_s * 1e3:10.1f}")
    print(f"{'warm prepare (unchanged file)':44} {results.warm_prepare_s * 1e3:10.3f}")
    print(f"{'  baseline: describe (a call that only answers)':44} {results.describe_s * 1e3:10.3f}")
    tasks = args.tasks
    ts_overhead = per_task_ms(results.chain_s, results.single_s, tasks) - results.node_loop_ns / 1e6
    process_overhead = per_task_ms(results.process_chain_s, results.process_single_s, tasks)
    print(f"{'W0 one node task, wall':44} {results.single_s * 1e3:10.1f}")
    print(f"{f'W1 chain of {args.tasks} node tasks, wall':44} {results.chain_s * 1e3:10.1f}")
    print(f"{'  overhead per warm TypeScript task':44} {ts_overhead:10.3f}")
    print(f"{'  baseline: one call in a node loop':44} {results.node_loop_ns / 1e6:10.5f}")
    print(f"{'  baseline: overhead per process task (true)':44} {process_overhead:10.3f}")
    print(f"warm TypeScript task overhead {ts_overhead:.3f} ms (target <= {TASK_TARGET_MS} ms): "
          f"{'met' if ts_overhead <= TASK_TARGET_MS else 'NOT met'}")
    print(f"warm prepare {results.warm_prepare_s * 1e3:.3f} ms (target < {WARM_PREPARE_TARGET_MS} ms): "
          f"{'met' if results.warm_prepare_s * 1e3 < WARM_PREPARE_TARGET_MS else 'NOT met'}")


def per_task_ms(wall_s: float, single_s: float, tasks: int) -> float:
    return (wall_s - single_s) / (tasks - 1) * 1e3


if __name__ == "__main__":
    sys.exit(main())
