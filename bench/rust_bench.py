#!/usr/bin/env python3
"""Benchmark of Rust function tasks (issue 13): what the rust language plugin
costs at compile time (`prepare`, cold and warm) and at run time (per-task
overhead of a plain Rust function, run by the library executor), each beside
a baseline measured in the same run on the same machine.

prepare: the built plugin (ork_language_rust.so) is driven through its C ABI
  with ctypes, as the host drives it:
  - cold, empty cache: a fresh build directory (cargo compiles serde, the
    SDK and the task);
  - cold, warm target: a task file never built before, in a build directory
    whose cargo target already holds the dependencies (an edited task);
  - warm: the same task again (found in the cache: no build).
  Baseline: `cargo build --release --offline` of the same generated crate,
  unchanged, i.e. cargo's own no-op cost (what a naive plugin would pay on
  every prepare).

per-task overhead: the library benchmark's workloads (bench/library_bench.py:
  W0 a single task, W1 a fan 1 -> TASKS -> 1), run once with the library
  prepare built from a plain Rust function (bench_task.rs below; `executor:
  library` with the config prepare answered, which is how the host runs a
  `{file: x.rs, function: f}` task) and once with the library benchmark's
  C task (the baseline), interleaved. overhead/task = (W1 wall - W0 wall) /
  (TASKS + 1) - the direct call time of that function (bench/direct_loop.c).

Usage: bench/rust_bench.py [--build build] [--repeat 5] [--tasks 1000] [--concurrency 2]
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

TARGET_US = 100.0
PREPARE_TARGET_MS = 5.0
C_FUNCTION = "measure_input"
RUST_FUNCTION = "ork_task_run"

# The Rust twin of bench/trivial_task.c: a plain function, typed from source,
# without parameters like its C baseline (whose signature has no inputs). The
# generated wrapper still parses each task's whole input object.
BENCH_TASK = """\
use serde::Serialize;

#[derive(Serialize)]
pub struct Measured {
    pub bytes: i64,
}

pub fn measure_input() -> Measured {
    Measured { bytes: 2 }
}
"""


# ---- the plugin's C ABI (plugin-api/include/ork/plugin.h), for ctypes -------------------

class OrkStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("len", ctypes.c_size_t)]


SetErrorFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr)
LogFn = ctypes.CFUNCTYPE(None, ctypes.c_int, OrkStr)
CheckErrorFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr, OrkStr)
SignatureFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr)
WriteFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, OrkStr)


class HostApi(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("api_major", ctypes.c_uint32), ("api_minor", ctypes.c_uint32),
                ("set_error", SetErrorFn), ("log", LogFn)]


class LanguageTask(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32)] + [
        (name, OrkStr) for name in ("workflow_name", "workflow_file", "workflow_dir", "task_name", "file",
                                    "file_path", "function", "config_json", "executor", "build_dir", "workdir")
    ] + [("env", ctypes.POINTER(OrkStr)), ("env_count", ctypes.c_size_t), ("check_pass", ctypes.c_uint64)]


class CheckSink(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("ctx", ctypes.c_void_p), ("error", CheckErrorFn),
                ("signature", SignatureFn)]


class JsonSink(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("ctx", ctypes.c_void_p), ("write", WriteFn)]


PrepareFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(LanguageTask), ctypes.POINTER(CheckSink),
                             ctypes.POINTER(JsonSink), ctypes.c_void_p)


class LanguageVtable(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("name", ctypes.c_char_p), ("extensions", ctypes.c_void_p),
                ("task_keys", ctypes.c_void_p), ("executors", ctypes.c_void_p), ("describe", ctypes.c_void_p),
                ("introspect", ctypes.c_void_p), ("prepare", PrepareFn)]


InitFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(HostApi), ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class Descriptor(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("api_major", ctypes.c_uint32), ("min_host_minor", ctypes.c_uint32),
                ("name", ctypes.c_char_p), ("version", ctypes.c_char_p), ("description", ctypes.c_char_p),
                ("init", InitFn), ("shutdown", ctypes.c_void_p), ("executor", ctypes.c_void_p),
                ("storage", ctypes.c_void_p), ("language", ctypes.POINTER(LanguageVtable))]


def ork_str(text: bytes) -> OrkStr:
    return OrkStr(text, len(text))


class RustPlugin:
    """The rust language plugin, loaded and initialised as the host does."""

    def __init__(self, path: Path) -> None:
        self._library = ctypes.CDLL(str(path), mode=os.RTLD_LOCAL)
        describe = self._library.ork_plugin_describe
        describe.restype = ctypes.POINTER(Descriptor)
        self._descriptor = describe().contents
        self._callbacks = (SetErrorFn(lambda slot, message: None), LogFn(lambda level, message: None))
        self._host = HostApi(ctypes.sizeof(HostApi), 1, 7, *self._callbacks)
        self._state = ctypes.c_void_p()
        if self._descriptor.init(ctypes.byref(self._host), ctypes.byref(self._state), None) != 0:
            raise SystemExit(f"{path}: init failed")

    def prepare(self, workflow_dir: Path, file: str, function: str, build_dir: Path) -> dict[str, object]:
        strings = {"workflow_name": b"bench", "workflow_file": bytes(workflow_dir / "wf.yaml"),
                   "workflow_dir": bytes(workflow_dir), "task_name": b"task", "file": file.encode(),
                   "file_path": bytes(workflow_dir / file), "function": function.encode(), "config_json": b"{}",
                   "executor": b"library", "build_dir": bytes(build_dir), "workdir": bytes(workflow_dir)}
        task = LanguageTask(ctypes.sizeof(LanguageTask), *(ork_str(strings[name]) for name, _ in
                                                          LanguageTask._fields_[1:12]), None, 0, 0)
        errors: list[str] = []
        written: list[str] = []
        on_error = CheckErrorFn(lambda ctx, key, message: errors.append(message.ptr[:message.len].decode()))
        on_signature = SignatureFn(lambda ctx, json_text: None)
        on_write = WriteFn(lambda ctx, text: written.append(text.ptr[:text.len].decode()))
        sink = CheckSink(ctypes.sizeof(CheckSink), None, on_error, on_signature)
        out = JsonSink(ctypes.sizeof(JsonSink), None, on_write)
        status = self._descriptor.language.contents.prepare(self._state, ctypes.byref(task), ctypes.byref(sink),
                                                            ctypes.byref(out), None)
        if status != 0 or errors or not written:
            raise SystemExit(f"prepare failed (status {status}): {errors}")
        return json.loads(written[0])["config"]


# ---- the benchmark ----------------------------------------------------------------------

@dataclass
class Paths:
    ork: Path
    plugin: Path
    c_library: Path
    direct_loop: Path


@dataclass
class PrepareFigures:
    cold_empty_s: float
    cold_warm_target_s: float
    warm_ms: float
    cargo_noop_ms: float


def main() -> int:
    args = parse_args()
    build = Path(args.build).resolve()
    paths = Paths(ork=build / "bin" / "ork", plugin=build / "lib" / "ork" / "plugins" / "ork_language_rust.so",
                  c_library=build / "bench" / "libork_bench_trivial_task.so",
                  direct_loop=build / "bench" / "ork-bench-direct-loop")
    missing = [str(p) for p in (paths.ork, paths.plugin, paths.c_library, paths.direct_loop) if not p.exists()]
    if missing:
        print(f"missing {', '.join(missing)}; build first (cmake --build {args.build})", file=sys.stderr)
        return 2
    plugin = RustPlugin(paths.plugin)
    with tempfile.TemporaryDirectory(prefix="ork-rust-bench-") as tmp:
        work = Path(tmp)
        (work / "bench_task.rs").write_text(BENCH_TASK)
        prepare, rust_library = measure_prepare(plugin, work, args.repeat)
        overhead = measure_overhead(paths, rust_library, work, args)
    print_report(prepare, overhead, args)
    return 0


def parse_args() -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(repo / "build"), help="the CMake build directory")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    return parser.parse_args()


def measure_prepare(plugin: RustPlugin, work: Path, repeat: int) -> tuple[PrepareFigures, Path]:
    build_dir = work / "build-cache"
    build_dir.mkdir()
    start = time.perf_counter()
    config = plugin.prepare(work, "bench_task.rs", "measure_input", build_dir)
    cold_empty = time.perf_counter() - start
    # An edited task: new content, dependencies already compiled.
    (work / "edited.rs").write_text(BENCH_TASK + "\n// edited\n")
    start = time.perf_counter()
    plugin.prepare(work, "edited.rs", "measure_input", build_dir)
    cold_warm_target = time.perf_counter() - start
    warm = []
    for _ in range(max(20, repeat * 10)):
        start = time.perf_counter()
        again = plugin.prepare(work, "bench_task.rs", "measure_input", build_dir)
        warm.append(time.perf_counter() - start)
        assert again == config, (again, config)
    return PrepareFigures(cold_empty, cold_warm_target, statistics.median(warm) * 1e3,
                          cargo_noop_ms(work, build_dir, repeat)), Path(str(config["file"]))


def cargo_noop_ms(work: Path, build_dir: Path, repeat: int) -> float:
    """cargo build of an unchanged crate: the wrapper crate, regenerated as the plugin writes it."""
    crate = work / "noop-crate"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sdk" / "rust" / "ork-sdk" / ".cargo", crate / ".cargo")
    (crate / "Cargo.toml").write_text('[package]\nname = "ork_bench_noop"\nversion = "0.0.0"\nedition = "2021"\n'
                                      '[lib]\npath = "lib.rs"\ncrate-type = ["cdylib"]\n'
                                      '[dependencies]\nserde = { version = "1", features = ["derive"] }\n'
                                      'serde_json = "1"\n[workspace]\n')
    (crate / "lib.rs").write_text("pub fn f() -> i64 { 1 }\n")
    cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    env = dict(os.environ, CARGO_TARGET_DIR=str(build_dir / "target"))
    command = [cargo, "build", "--release", "--offline", "--quiet"]
    subprocess.run(command, cwd=crate, env=env, check=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=crate, env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


@dataclass
class Overhead:
    rust_us: float
    c_us: float
    rust_direct_ns: float
    c_direct_ns: float


def measure_overhead(paths: Paths, rust_library: Path, work: Path, args: argparse.Namespace) -> Overhead:
    variants = {"rust": (rust_library, RUST_FUNCTION), "c": (paths.c_library, C_FUNCTION)}
    walls: dict[tuple[str, str], list[float]] = {}
    direct: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeat):
        for name, (library, function) in variants.items():  # interleaved: the machine's noise hits both
            for shape in ("single", "fan"):
                workflow = write_workflow(work / f"{name}-{shape}.yaml", library, function,
                                          args.tasks if shape == "fan" else 0)
                walls.setdefault((name, shape), []).append(time_run(paths.ork, workflow, work, args.concurrency))
            direct[name].append(time_direct(paths.direct_loop, library, function))
    figures = {}
    for name in variants:
        single = statistics.median(walls[(name, "single")])
        fan = statistics.median(walls[(name, "fan")])
        direct_ns = statistics.median(direct[name])
        figures[name] = ((fan - single) / (args.tasks + 1) * 1e6 - direct_ns / 1e3, direct_ns)
    return Overhead(figures["rust"][0], figures["c"][0], figures["rust"][1], figures["c"][1])


def write_workflow(path: Path, library: Path, function: str, fan: int) -> Path:
    def task(name: str, depends_on: list[str]) -> str:
        after = f", depends_on: [{', '.join(depends_on)}]" if depends_on else ""
        return f"  {name}: {{executor: library, file: '{library}', function: {function}{after}}}"

    lines = [f"name: bench_rust_{path.stem.replace('-', '_')}", "tasks:", task("root", [])]
    if fan:
        middle = [f"t{i}" for i in range(fan)]
        lines += [task(name, ["root"]) for name in middle]
        lines.append(task("sink", middle))
    path.write_text("\n".join(lines) + "\n")
    return path


def time_run(ork: Path, workflow: Path, work: Path, concurrency: int) -> float:
    database = work / f"{workflow.stem}.db"
    start = time.perf_counter()
    done = subprocess.run([str(ork), "--db", str(database), "run", str(workflow), "--concurrency", str(concurrency)],
                          cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{workflow.name}: ork exited {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")
    return wall


def time_direct(direct_loop: Path, library: Path, function: str) -> float:
    done = subprocess.run([str(direct_loop), str(library), function, "100000", "5"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the direct loop failed ({done.returncode}): {done.stderr}")
    return float(done.stdout)


def print_report(prepare: PrepareFigures, overhead: Overhead, args: argparse.Namespace) -> None:
    load = os.getloadavg()[0]
    print(f"# rust benchmark - {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load {load:.1f}, {platform.platform()}, --concurrency {args.concurrency}, median of {args.repeat}")
    print(f"{'prepare':36} {'time':>12}")
    print(f"{'cold, empty cache (serde, SDK, task)':36} {prepare.cold_empty_s:10.1f} s")
    print(f"{'cold, warm target (an edited task)':36} {prepare.cold_warm_target_s:10.1f} s")
    print(f"{'warm (cached: no build)':36} {prepare.warm_ms:9.2f} ms")
    print(f"{'baseline: cargo build, no change':36} {prepare.cargo_noop_ms:9.1f} ms")
    print(f"warm prepare {prepare.warm_ms:.2f} ms (target < {PREPARE_TARGET_MS:.0f} ms): "
          f"{'met' if prepare.warm_ms < PREPARE_TARGET_MS else 'NOT met'}")
    print(f"{'per-task overhead (W1 fan 1->' + str(args.tasks) + '->1)':36} {'overhead us':>12} {'direct call us':>15}")
    print(f"{'rust function task':36} {overhead.rust_us:12.1f} {overhead.rust_direct_ns / 1e3:15.3f}")
    print(f"{'baseline: library task (C)':36} {overhead.c_us:12.1f} {overhead.c_direct_ns / 1e3:15.3f}")
    print(f"rust function task overhead {overhead.rust_us:.1f} us per task (target <= {TARGET_US:.0f} us): "
          f"{'met' if overhead.rust_us <= TARGET_US else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
