"""The store's file system fills up mid-run: ork must stop cleanly and lose nothing it recorded.

The store lives on a 4 MiB tmpfs; 80 tasks each write 1000 log lines of
about 100 bytes, several times what fits. The test expects ork to exit with
code 1 (not a crash, an abort or a hang) and a message naming the database
and saying the disk is full. It then copies the database files out, unmounts
the tmpfs, and checks the copy: `PRAGMA integrity_check` is ok; every task
ork reported as succeeded is recorded as succeeded, with its output and all
of its 1000 log lines; every recorded success matches a "done" line in the
side-effect log. Finally `ork resume` on the copy (with room to spare) must
finish the run without re-running any recorded success.

Mounting needs root (CI runs as root); without it the test is skipped
(exit code 77), never passed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from faults_support import (SKIP_EXIT_CODE, STDOUT_STREAM, CheckFailed, OrkCommand, OrkOutcome, check, integrity_check,
                            main_wrapper, only_run_id, open_store, ork_environment, parse_common_arguments,
                            reap_orphans, run_ork, work_folder)

TMPFS_SIZE = "4m"
TASKS = 80
LINES_PER_TASK = 1000
DISK_FULL_WORDS = ("database or disk is full", "disk full", "disk is full")

FLOOD_TASK_SCRIPT = f"""#!/bin/sh
echo "start $ORK_TASK" >> "$SIDE_EFFECTS"
i=0
while [ $i -lt {LINES_PER_TASK} ]; do
  echo "line $i of $ORK_TASK: the quick brown fox jumps over the lazy dog, again and again and again"
  i=$((i + 1))
done
echo "done $ORK_TASK" >> "$SIDE_EFFECTS"
echo "ORK_OUTPUT:{{\\"task\\": \\"$ORK_TASK\\"}}"
"""


def main() -> int:
    args = parse_common_arguments(__doc__.splitlines()[0])
    with work_folder(args.workdir, "ork-faults-disk-") as folder:
        store_dir = folder / "store"
        store_dir.mkdir(exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(store_dir)],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            print(f"SKIP: cannot mount a {TMPFS_SIZE} tmpfs on {store_dir} (this test needs root): "
                  f"{mounted.stderr.strip()}")
            return SKIP_EXIT_CODE
        try:
            workflow_file = write_workflow(folder)
            command = OrkCommand(binary=args.ork.resolve(), db=store_dir / "ork.db", folder=folder,
                                 environment=ork_environment())
            outcome = run_ork(command, ["run", str(workflow_file), "--concurrency", "2"], timeout_seconds=120,
                              label="disk-full-run")
            reap_orphans(block_seconds=30)
            copy = copy_store_out(store_dir, folder / "copy")
        finally:
            subprocess.run(["umount", str(store_dir)], check=True)
        print(f"ork stopped after {outcome.seconds:.1f} s with code {outcome.returncode}; last message: "
              f"{last_line(outcome.stderr)}", flush=True)
        # Each group of checks runs even when an earlier one failed, so one
        # report shows everything that is wrong.
        failures: list[str] = []
        collect(failures, lambda: check_clean_failure(outcome, command.db))
        recorded = check_recorded_state(copy, outcome, folder / "side-effects.log")
        collect(failures, lambda: check_logs_complete(copy, recorded))
        collect(failures, lambda: check_resume_after_freeing_space(
            OrkCommand(binary=command.binary, db=copy, folder=folder, environment=command.environment),
            recorded, folder / "side-effects.log"))
    check(not failures, "\n  ".join([f"{len(failures)} check(s) failed:", *failures]))
    return 0


def collect(failures: list[str], checks: Callable[[], None]) -> None:
    try:
        checks()
    except CheckFailed as failure:
        failures.append(str(failure))


def write_workflow(folder: Path) -> Path:
    script = folder / "flood.sh"
    script.write_text(FLOOD_TASK_SCRIPT)
    script.chmod(0o755)
    lines = ["name: disk_full", "defaults:", "  executor: process",
             f"  env: {{SIDE_EFFECTS: {json.dumps(str(folder / 'side-effects.log'))}}}", "tasks:"]
    for i in range(TASKS):
        lines += [f"  t{i:02d}:", "    command: [./flood.sh]"]
    path = folder / "workflow.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def copy_store_out(store_dir: Path, destination: Path) -> Path:
    """Copies the database with its WAL (committed changes may live only there)."""
    destination.mkdir(exist_ok=True)
    for name in ("ork.db", "ork.db-wal"):
        if (store_dir / name).exists():
            shutil.copy2(store_dir / name, destination / name)
    check((destination / "ork.db").exists(), f"ork created no database in {store_dir}")
    return destination / "ork.db"


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(nothing on stderr)"


def check_clean_failure(outcome: OrkOutcome, db: Path) -> None:
    check(outcome.returncode == 1,
          f"ork exited with {outcome.returncode} on a full disk, expected 1 (a negative code is a signal: "
          f"{'abort' if outcome.returncode == -6 else 'crash'}); stderr:\n{outcome.stderr}")
    message = last_line(outcome.stderr)
    check(str(db) in message or db.name in message, f"the final message does not name the database {db}: {message}")
    check(any(word in message for word in DISK_FULL_WORDS),
          f"the final message does not say the disk is full: {message}")


@dataclass(frozen=True)
class RecordedSuccess:
    attempt: int
    output: str


def check_recorded_state(db: Path, outcome: OrkOutcome, side_effect_log: Path) -> dict[str, RecordedSuccess]:
    """The copy is intact and holds every success ork reported. Returns what it recorded as succeeded."""
    integrity = integrity_check(db)
    check(integrity == "ok", f"PRAGMA integrity_check of the store copied off the full disk: {integrity}")
    run_id = only_run_id(db)
    check(run_id is not None, "the run is not in the store")
    reported = {line.split()[1] for line in outcome.stdout.splitlines() if line.startswith("✓ ")}
    done = {line.split()[1] for line in side_effect_log.read_text().splitlines() if line.startswith("done ")}
    with open_store(db) as connection:
        succeeded = {str(name): RecordedSuccess(int(attempts), str(output)) for name, attempts, output in
                     connection.execute("SELECT name, attempts, output_json FROM tasks "
                                        "WHERE run_id = ? AND status = 'succeeded'", (run_id,))}
    print(f"store copy: integrity ok; {len(succeeded)} tasks recorded succeeded, {len(reported)} reported "
          f"succeeded by ork, {len(done)} finished their work", flush=True)
    check(len(succeeded) > 0, "no task was recorded before the disk filled; the tmpfs is too small to test anything")
    missing = sorted(reported - succeeded.keys())
    check(not missing, f"tasks ork reported as succeeded but not recorded: {missing}")
    unfinished = sorted(succeeded.keys() - done)
    check(not unfinished, f"tasks recorded succeeded that never finished their work: {unfinished}")
    for name, success in succeeded.items():
        check(json.loads(success.output) == {"task": name}, f"task {name}: recorded output {success.output}")
    return succeeded


def check_logs_complete(db: Path, succeeded: dict[str, RecordedSuccess]) -> None:
    """A success is only recorded with every log line its attempt wrote."""
    with open_store(db) as connection:
        log_counts = {(str(task), int(attempt)): int(count) for task, attempt, count in connection.execute(
            "SELECT task, attempt, count(*) FROM logs WHERE stream = ? GROUP BY task, attempt", (STDOUT_STREAM,))}
    incomplete = {name: log_counts.get((name, s.attempt), 0) for name, s in succeeded.items()
                  if log_counts.get((name, s.attempt), 0) != LINES_PER_TASK}
    check(not incomplete,
          f"tasks recorded succeeded without all {LINES_PER_TASK} of their log lines (task: lines recorded): "
          f"{dict(sorted(incomplete.items()))}; the lines that could not be written were dropped, yet the "
          f"attempt was recorded as a complete success")


def check_resume_after_freeing_space(command: OrkCommand, recorded: dict[str, RecordedSuccess],
                                     side_effect_log: Path) -> None:
    lines_before = len(side_effect_log.read_text().splitlines())
    run_id = only_run_id(command.db)
    assert run_id is not None
    outcome = run_ork(command, ["resume", run_id, "--concurrency", "2"], timeout_seconds=120, label="resume-copy")
    check(outcome.returncode == 0, f"`ork resume {run_id}` on the copy exited with {outcome.returncode}; "
                                   f"stderr:\n{outcome.stderr}")
    with open_store(command.db) as connection:
        statuses = {str(name): (str(status), str(output)) for name, status, output in connection.execute(
            "SELECT name, status, output_json FROM tasks WHERE run_id = ?", (run_id,))}
    not_succeeded = sorted(name for name, (status, _) in statuses.items() if status != "succeeded")
    check(not not_succeeded, f"after resume, tasks not succeeded: {not_succeeded}")
    for name, success in recorded.items():
        check(statuses[name][1] == success.output,
              f"task {name}: recorded output {success.output} became {statuses[name][1]}")
    new_lines = side_effect_log.read_text().splitlines()[lines_before:]
    rerun = sorted({line.split()[1] for line in new_lines if line.startswith("start ")} & recorded.keys())
    check(not rerun, f"resume re-ran tasks whose success was recorded before the disk filled: {rerun}")
    print(f"resume on the copy: run {run_id} succeeded; none of the {len(recorded)} recorded successes ran again",
          flush=True)


if __name__ == "__main__":
    main_wrapper(main)
