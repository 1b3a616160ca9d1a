"""Shared pieces of ork's fault-injection tests.

The four tests in this folder (kill/resume, disk full, log flood, many tasks)
start the built `ork` binary on generated workflows, abuse it (SIGKILL, a full
file system, a task that floods stdout, a very large run), and then read the
SQLite store directly to check what ork recorded. This module holds what they
share: the command-line options every test takes, starting `ork` while
measuring the host's peak memory, the task script that records its side
effects, and read-only access to the store. Only the standard library is used,
so the tests run wherever `/usr/bin/python3` does.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

# ctest's SKIP_RETURN_CODE for these tests: the environment cannot host the
# test (e.g. no permission to mount a tmpfs), which is not a pass.
SKIP_EXIT_CODE = 77

# A task script for the process executor. It appends "start"/"done" lines to
# the side-effect log (the file in $SIDE_EFFECTS; short O_APPEND writes, so
# concurrent tasks never interleave within a line), writes a known set of log
# lines, and prints its output. Killing ork mid-attempt leaves the script
# orphaned: its next write to the dead pipe raises SIGPIPE, so an orphan
# usually stops before "done" (but may get there: that is an in-flight
# attempt whose work completed without being recorded).
SIDE_EFFECT_TASK_SCRIPT = """#!/bin/sh
# usage: task.sh SLEEP_SECONDS
echo "start $ORK_TASK $ORK_ATTEMPT" >> "$SIDE_EFFECTS"
input=$(cat)
echo "in $input"
echo "out $ORK_TASK $ORK_ATTEMPT 1"
echo "err $ORK_TASK $ORK_ATTEMPT" >&2
sleep "$1"
echo "out $ORK_TASK $ORK_ATTEMPT 2"
echo "done $ORK_TASK $ORK_ATTEMPT" >> "$SIDE_EFFECTS"
echo "ORK_OUTPUT:{\\"task\\": \\"$ORK_TASK\\", \\"attempt\\": $ORK_ATTEMPT}"
"""

# The error ork records on an attempt that was running when its owner died
# (host/src/scheduler/run_scheduler.cpp, restore()).
INTERRUPTED_ATTEMPT_ERROR = "the process running this attempt died; attempt re-queued"

STDOUT_STREAM = 1
STDERR_STREAM = 2
SYSTEM_STREAM = 3


def parse_common_arguments(description: str, argv: Sequence[str] | None = None,
                           extra: Sequence[tuple[str, type, object, str]] = ()) -> argparse.Namespace:
    """The options every fault test takes: the `ork` binary and a work folder.

    `extra` adds test-specific options as (flag, type, default, help).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ork", type=Path, required=True, help="the built ork binary")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the run's files here (default: a temporary folder, removed afterwards)")
    for flag, kind, default, text in extra:
        parser.add_argument(flag, type=kind, default=default, help=text)
    args = parser.parse_args(argv)
    if not args.ork.is_file():
        parser.error(f"--ork {args.ork}: no such file; build the `ork` target first")
    return args


@contextlib.contextmanager
def work_folder(requested: Path | None, prefix: str) -> Iterator[Path]:
    """The folder a test writes into: `requested` (kept), else a temporary one (removed)."""
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        yield requested.resolve()
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


class CheckFailed(Exception):
    """An invariant did not hold; the message says which, for which task."""


def check_peak_rss(peak_bytes: int, limit_bytes: int) -> None:
    """Fails when ork's peak RSS reached `limit_bytes`. Not in a sanitizer build
    (scripts/sanitize.sh sets ORK_TEST_SANITIZER): there the RSS is mostly
    ASan's shadow memory and quarantine of freed blocks, which says nothing
    about ork's own memory, so the bound is reported but not enforced."""
    sanitizer = os.environ.get("ORK_TEST_SANITIZER", "")
    if sanitizer:
        print(f"peak RSS {peak_bytes} bytes not checked against {limit_bytes}: {sanitizer} build", flush=True)
        return
    check(peak_bytes < limit_bytes, f"ork's peak RSS was {peak_bytes} bytes, over the {limit_bytes} byte limit")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def main_wrapper(body: Callable[[], int]) -> None:
    """Runs a test body and turns its outcome into an exit code ctest understands."""
    try:
        code = body()
    except CheckFailed as failure:
        print(f"FAIL: {failure}", file=sys.stderr, flush=True)
        code = 1
    sys.exit(code)


def write_task_script(folder: Path) -> Path:
    script = folder / "task.sh"
    script.write_text(SIDE_EFFECT_TASK_SCRIPT)
    script.chmod(0o755)
    return script


# ---- running ork ------------------------------------------------------------


@dataclass(frozen=True)
class OrkCommand:
    """How to invoke ork on one store, with output captured to files."""

    binary: Path
    db: Path
    folder: Path
    environment: dict[str, str]

    def argv(self, *args: str) -> list[str]:
        return [str(self.binary), "--db", str(self.db), *args]


@dataclass(frozen=True)
class OrkOutcome:
    returncode: int          # negative: killed by that signal
    stdout: str
    stderr: str
    seconds: float
    peak_rss_kib: int        # exact: ru_maxrss from wait4 (the host, or a bigger child)
    sampled_hwm_kib: int     # VmHWM of the host itself, sampled while it ran

    @property
    def peak_bytes(self) -> int:
        """The larger of both measures (they differ by rounding), in bytes."""
        return max(self.peak_rss_kib, self.sampled_hwm_kib) * 1024


def run_ork(command: OrkCommand, args: Sequence[str], timeout_seconds: float,
            kill_after_seconds: float | None = None, label: str = "ork",
            kill_when: Callable[[], bool] | None = None) -> OrkOutcome:
    """Runs ork to its end (or SIGKILLs it after `kill_after_seconds`, or once `kill_when()` holds).

    The peak memory comes from wait4's rusage: ru_maxrss is the larger of the
    process's own peak RSS and that of its largest reaped child, an upper
    bound of the host's peak (the tasks here are tiny shell tools) that also
    covers the last milliseconds before exit, which /proc sampling misses.
    """
    out_path = command.folder / f"{label}.stdout"
    err_path = command.folder / f"{label}.stderr"
    started = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(command.argv(*args), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   cwd=command.folder, env=command.environment)
    hwm_kib = 0
    killed = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            break
        elapsed = time.monotonic() - started
        due = (kill_after_seconds is not None and elapsed >= kill_after_seconds) or (
            kill_when is not None and kill_when())
        if due and not killed:
            os.kill(process.pid, signal.SIGKILL)
            killed = True
        elif elapsed > timeout_seconds and not killed:
            os.kill(process.pid, signal.SIGKILL)
            os.waitpid(process.pid, 0)
            process.returncode = -signal.SIGKILL
            raise CheckFailed(f"{label}: `{' '.join(command.argv(*args))}` did not finish within "
                              f"{timeout_seconds:.0f} s (killed); see {out_path} and {err_path}")
        hwm_kib = max(hwm_kib, read_vm_hwm_kib(process.pid))
        time.sleep(0.05 if kill_after_seconds is None and kill_when is None else 0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    return OrkOutcome(returncode=process.returncode,
                      stdout=out_path.read_text(errors="replace"),
                      stderr=err_path.read_text(errors="replace"),
                      seconds=time.monotonic() - started,
                      peak_rss_kib=usage.ru_maxrss,
                      sampled_hwm_kib=hwm_kib)


def read_vm_hwm_kib(pid: int) -> int:
    """The process's peak resident set so far (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def ork_environment() -> dict[str, str]:
    """The caller's environment without anything that would point ork elsewhere."""
    environment = dict(os.environ)
    for name in ("ORK_DATABASE_URL", "ORK_PLUGIN_PATH", "ORK_LOG_LIMIT_BYTES"):
        environment.pop(name, None)
    return environment


# ---- orphaned task processes -------------------------------------------------


def become_subreaper() -> None:
    """Makes orphaned descendants (tasks of a killed ork) our children, so we can wait for them."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_child_subreaper = 36
    if libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(block_seconds: float) -> int:
    """Reaps exited orphans; with `block_seconds` > 0 waits up to that long for all of them."""
    reaped = 0
    deadline = time.monotonic() + block_seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid != 0:
            reaped += 1
            continue
        if time.monotonic() >= deadline:
            if block_seconds > 0:
                raise CheckFailed(f"orphaned task processes still running {block_seconds:.0f} s after ork exited")
            return reaped
        time.sleep(0.01)


# ---- the store ------------------------------------------------------------------


@contextlib.contextmanager
def open_store(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection to ork's SQLite file, closed on exit (nothing else writes while it is open)."""
    connection = sqlite3.connect(db, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def integrity_check(db: Path) -> str:
    with open_store(db) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows)


def only_run_id(db: Path) -> str | None:
    """The id of the single run in a test's store, or None before ork recorded it."""
    if not db.exists():
        return None
    with open_store(db) as connection:
        try:
            rows = connection.execute("SELECT id FROM runs").fetchall()
        except sqlite3.OperationalError:  # killed before the schema was created
            return None
    check(len(rows) <= 1, f"expected at most one run in {db}, found {len(rows)}")
    return str(rows[0][0]) if rows else None
