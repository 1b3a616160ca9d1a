#!/usr/bin/env python3
"""Benchmark of C++ function tasks (issue 13): the cpp language plugin's
`prepare`, cold and warm, and the per-task overhead of running what it built,
each beside a baseline measured in the same run.

prepare: the plugin is loaded with ctypes and called through its C ABI, as
the host calls it. Cold = a fresh build directory (clang reads the function,
g++ builds the wrapper, a child prints the signature); its baseline is g++
alone compiling the same generated wrapper with the same flags. Warm = the
same task again, unchanged (hash the sources, find the build); the target is
under 5 ms, and its baseline is reading the task's source file.

per-task overhead: fan-out 1 -> TASKS -> 1 workflows (W1) minus a single task
(W0), as in bench/library_bench.py, through `ork run`: once with C++ function
tasks (`{file: task.cpp, function: measure}`: the host asks the plugin for
each task's signature and build, then runs it on the library executor,
in-process) and once with the library benchmark's trivial C task
(bench/trivial_task.c as `executor: library`, the baseline: the library
executor's own cost). Both workflows are validated once before timing, so
the C++ build is warm (its cold cost is the prepare figure). The C++ figure
includes the task SDK's JSON conversion of its input and output. Target:
<= 100 us per task.

Usage: bench/cpp_bench.py [--build build] [--repeat 5] [--tasks 1000] [--concurrency 2]
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
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
TASK_SOURCE = REPO / "bench" / "cpp_task.cpp"
TASK_FUNCTION = "measure"
BASELINE_LIBRARY = "libork_bench_trivial_task.so"
BASELINE_FUNCTION = "measure_input"
TASK_TARGET_US = 100.0
WARM_PREPARE_TARGET_MS = 5.0


class OrkStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("len", ctypes.c_size_t)]


SET_ERROR = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr)
LOG = ctypes.CFUNCTYPE(None, ctypes.c_int, OrkStr)
SINK_ERROR = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr, OrkStr)
SINK_TEXT = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr)


class HostApi(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("api_major", ctypes.c_uint32), ("api_minor", ctypes.c_uint32),
                ("set_error", SET_ERROR), ("log", LOG)]


class CheckSink(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("ctx", ctypes.c_void_p), ("error", SINK_ERROR),
                ("signature", SINK_TEXT)]


class JsonSink(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("ctx", ctypes.c_void_p), ("write", SINK_TEXT)]


class LanguageTask(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32)] + [
        (name, OrkStr) for name in ("workflow_name", "workflow_file", "workflow_dir", "task_name", "file",
                                    "file_path", "function", "config_json", "executor", "build_dir", "workdir")
    ] + [("env", ctypes.c_void_p), ("env_count", ctypes.c_size_t), ("check_pass", ctypes.c_uint64)]


PREPARE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(LanguageTask), ctypes.POINTER(CheckSink),
                           ctypes.POINTER(JsonSink), ctypes.c_void_p)
INIT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(HostApi), ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class LanguageVtable(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("extensions", ctypes.c_void_p),
                ("task_keys", ctypes.c_void_p), ("executors", ctypes.c_void_p), ("describe", ctypes.c_void_p),
                ("introspect", ctypes.c_void_p), ("prepare", PREPARE)]


class Descriptor(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("api_major", ctypes.c_uint32),
                ("min_host_minor", ctypes.c_uint32), ("name", ctypes.c_char_p), ("version", ctypes.c_char_p),
                ("description", ctypes.c_char_p), ("init", INIT), ("shutdown", ctypes.c_void_p),
                ("executor", ctypes.c_void_p), ("storage", ctypes.c_void_p),
                ("language", ctypes.POINTER(LanguageVtable))]


class CppPlugin:
    """The built ork_language_cpp.so, called through its C ABI as the host calls it."""

    def __init__(self, path: Path) -> None:
        library = ctypes.CDLL(str(path))
        describe = library.ork_plugin_describe
        describe.restype = ctypes.POINTER(Descriptor)
        self.descriptor = describe().contents
        self.host = HostApi(ctypes.sizeof(HostApi), 1, 7, SET_ERROR(lambda slot, message: None),
                            LOG(lambda level, message: None))
        self.state = ctypes.c_void_p()
        self.fresh_state()

    def fresh_state(self) -> None:
        """A new plugin state, as a new `ork` process has: nothing remembered yet."""
        self.state = ctypes.c_void_p()
        if self.descriptor.init(ctypes.byref(self.host), ctypes.byref(self.state), None) != 0:
            raise SystemExit("the cpp plugin's init failed")

    def prepare(self, workflow_dir: Path, file: str, function: str, build_dir: Path) -> dict[str, Any]:
        keep: list[bytes] = []

        def s(text: str) -> OrkStr:
            data = text.encode()
            keep.append(data)
            return OrkStr(data, len(data))

        task = LanguageTask(ctypes.sizeof(LanguageTask), s("bench"), s(str(workflow_dir / "wf.yaml")),
                            s(str(workflow_dir)), s("task"), s(file), s(str(workflow_dir / file)), s(function),
                            s("{}"), s("library"), s(str(build_dir)), s(str(workflow_dir)), None, 0, 0)
        errors: list[str] = []
        answer: list[str] = []
        on_error = SINK_ERROR(lambda ctx, key, message: errors.append(ctypes.string_at(message.ptr, message.len)
                                                                         .decode()))
        on_write = SINK_TEXT(lambda ctx, text: answer.append(ctypes.string_at(text.ptr, text.len).decode()))
        check = CheckSink(ctypes.sizeof(CheckSink), None, on_error, SINK_TEXT(lambda ctx, text: None))
        out = JsonSink(ctypes.sizeof(JsonSink), None, on_write)
        status = self.descriptor.language.contents.prepare(self.state, ctypes.byref(task), ctypes.byref(check),
                                                           ctypes.byref(out), None)
        if status != 0 or errors or not answer:
            raise SystemExit(f"prepare failed (status {status}): {errors}")
        return json.loads(answer[0])["config"]


def main() -> int:
    args = parse_args()
    build = Path(args.build).resolve()
    ork, plugin_path = build / "bin" / "ork", build / "lib" / "ork" / "plugins" / "ork_language_cpp.so"
    baseline_library = build / "bench" / BASELINE_LIBRARY
    missing = [str(p) for p in (ork, plugin_path, baseline_library) if not p.exists()]
    if missing:
        print(f"missing {', '.join(missing)}; build first (cmake --build {args.build})", file=sys.stderr)
        return 2
    plugin = CppPlugin(plugin_path)
    with tempfile.TemporaryDirectory(prefix="ork-cpp-bench-") as tmp:
        work = Path(tmp)
        shutil.copy(TASK_SOURCE, work / "task.cpp")
        cold, cold_baseline, _ = measure_cold(plugin, work, args.repeat)
        warm = median_of(args.repeat * 20, lambda: plugin.prepare(work, "task.cpp", TASK_FUNCTION, work / "build"))

        def first_in_process() -> None:
            plugin.fresh_state()
            plugin.prepare(work, "task.cpp", TASK_FUNCTION, work / "build")

        warm_first = median_of(args.repeat * 20, first_in_process)
        warm_baseline = median_of(args.repeat * 20, lambda: (work / "task.cpp").read_bytes())
        cpp_task = "{file: task.cpp, function: %s}" % TASK_FUNCTION
        c_task = "{executor: library, file: '%s', function: %s}" % (baseline_library, BASELINE_FUNCTION)
        runs = measure_runs(ork, work, [cpp_task, c_task], args)
    print_report(args, cold, cold_baseline, warm_first, warm, warm_baseline, runs)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build"), help="the CMake build directory")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    return parser.parse_args()


def measure_cold(plugin: CppPlugin, work: Path, repeat: int) -> tuple[float, float, dict[str, Any]]:
    """Median seconds of a cold prepare and of g++ alone on the generated wrapper, interleaved."""
    colds: list[float] = []
    baselines: list[float] = []
    config: dict[str, Any] = {}
    for attempt in range(max(1, repeat // 2)):
        build_dir = work / f"cold-{attempt}"
        build_dir.mkdir()
        start = time.perf_counter()
        config = plugin.prepare(work, "task.cpp", TASK_FUNCTION, build_dir)
        colds.append(time.perf_counter() - start)
        wrapper = Path(config["file"]).parent / "wrapper.cpp"
        baselines.append(time_gxx(wrapper, work / f"baseline-{attempt}.so"))
    (work / "build").mkdir()
    config = plugin.prepare(work, "task.cpp", TASK_FUNCTION, work / "build")
    return statistics.median(colds), statistics.median(baselines), config


def time_gxx(wrapper: Path, output: Path) -> float:
    includes = [f"-I{REPO / 'sdk' / 'include'}", f"-I{REPO / 'plugin-api' / 'include'}"]
    command = ["g++", "-std=c++20", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-g0", "-w", *includes,
               "-o", str(output), str(wrapper), "-lboost_json"]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def median_of(times: int, call: Callable[[], object]) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def task_line(name: str, task: str, depends_on: list[str]) -> str:
    """`task` is a flow mapping without its closing brace's dependencies, e.g. "{file: t.cpp, function: f}"."""
    dependencies = f", depends_on: [{', '.join(depends_on)}]" if depends_on else ""
    return f"  {name}: {task[:-1]}{dependencies}}}"


def write_workflows(work: Path, label: str, task: str, tasks: int) -> tuple[Path, Path]:
    single = work / f"{label}-w0.yaml"
    single.write_text(f"name: bench_{label}_single\ntasks:\n{task_line('only', task, [])}\n")
    middle = [f"t{i}" for i in range(tasks)]
    lines = [f"name: bench_{label}_fan", "tasks:", task_line("root", task, [])]
    lines += [task_line(name, task, ["root"]) for name in middle]
    lines.append(task_line("sink", task, middle))
    fan = work / f"{label}-w1.yaml"
    fan.write_text("\n".join(lines) + "\n")
    return single, fan


def measure_runs(ork: Path, work: Path, task_forms: list[str], args: argparse.Namespace) -> list[tuple[float, float]]:
    """Median (W0, W1) wall seconds of `ork run` for each form of task, interleaved."""
    workflows = [write_workflows(work, f"form{i}", task, args.tasks) for i, task in enumerate(task_forms)]
    for single, fan in workflows:  # warm: the C++ task is built once here, not in the timed runs
        for workflow in (single, fan):
            subprocess.run([str(ork), "--db", str(workflow.with_suffix(".db")), "validate", str(workflow)], cwd=work,
                           check=True, stdout=subprocess.DEVNULL)
    samples: list[tuple[list[float], list[float]]] = [([], []) for _ in task_forms]
    for _ in range(args.repeat):
        for (single, fan), (single_times, fan_times) in zip(workflows, samples):
            single_times.append(time_run(ork, single, work, args.concurrency))
            fan_times.append(time_run(ork, fan, work, args.concurrency))
    return [(statistics.median(s), statistics.median(f)) for s, f in samples]


def time_run(ork: Path, workflow: Path, work: Path, concurrency: int) -> float:
    database = workflow.with_suffix(".db")
    command = [str(ork), "--db", str(database), "run", str(workflow), "--concurrency", str(concurrency)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{workflow.name}: ork exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return wall


def print_report(args: argparse.Namespace, cold: float, cold_baseline: float, warm_first: float, warm: float,
                 warm_baseline: float, runs: list[tuple[float, float]]) -> None:
    load = os.getloadavg()[0]
    print(f"# cpp benchmark - {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load {load:.1f}, {platform.platform()}, --concurrency {args.concurrency}, median of {args.repeat}")
    print(f"{'measure':44} {'ork':>12} {'baseline':>12}")
    print(f"{'cold prepare (clang + g++ + signature)':44} {cold * 1e3:10.0f} ms {cold_baseline * 1e3:10.0f} ms"
          "   baseline: g++ alone on the same wrapper")
    print(f"{'warm prepare, first in a process (hash)':44} {warm_first * 1e3:10.3f} ms "
          f"{warm_baseline * 1e3:10.3f} ms   baseline: reading the task's source")
    print(f"{'warm prepare, again in a process (stat)':44} {warm * 1e3:10.3f} ms {warm_baseline * 1e3:10.3f} ms")
    per_task = [(fan - single) / (args.tasks + 1) * 1e6 for single, fan in runs]
    print(f"{'per-task overhead, C++ function task':44} {per_task[0]:10.1f} us {per_task[1]:10.1f} us"
          "   baseline: a C library task (executor: library)")
    print(f"per-task = (W1 wall - W0 wall) / (tasks + 1), W1 = fan 1->{args.tasks}->1 through `ork run`")
    print(f"C++ task overhead {per_task[0]:.1f} us (target <= {TASK_TARGET_US:.0f} us): "
          f"{'met' if per_task[0] <= TASK_TARGET_US else 'NOT met'}")
    print(f"warm prepare {warm_first * 1e3:.3f} ms (target < {WARM_PREPARE_TARGET_MS:.0f} ms): "
          f"{'met' if warm_first * 1e3 < WARM_PREPARE_TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
