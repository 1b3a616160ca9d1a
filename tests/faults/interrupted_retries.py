"""Attempts interrupted by the death of ork never count against a task's `retries`.

A task that always fails after one second has `retries: 1`. ork is killed
while its first attempt runs, resumed, and killed again while the second
runs; a last `ork resume` lets it run to the end. Two attempts were
interrupted and do not count, so the task must get its first real attempt
(3) and its one retry (4) before it fails: 4 attempts recorded, 4 started
(side-effect log), the last two failed with "exited with code 1".
"""
from __future__ import annotations

import json
import signal
from pathlib import Path

from faults_support import (INTERRUPTED_ATTEMPT_ERROR, OrkCommand, become_subreaper, check, main_wrapper,
                            only_run_id, open_store, ork_environment, parse_common_arguments, reap_orphans, run_ork,
                            work_folder)

FLAKY_SCRIPT = """#!/bin/sh
echo "start $ORK_TASK $ORK_ATTEMPT" >> "$SIDE_EFFECTS"
sleep 1
exit 1
"""


def main() -> int:
    args = parse_common_arguments(__doc__.splitlines()[0])
    become_subreaper()
    with work_folder(args.workdir, "ork-faults-retries-") as folder:
        side_effects = folder / "side-effects.log"
        workflow_file = write_workflow(folder, side_effects)
        command = OrkCommand(binary=args.ork.resolve(), db=folder / "ork.db", folder=folder,
                             environment=ork_environment())
        for kill, launch in enumerate([["run", str(workflow_file)], None], start=1):
            argv = launch if launch is not None else ["resume", str(only_run_id(command.db))]
            outcome = run_ork(command, argv, timeout_seconds=60, label=f"launch-{kill}",
                              kill_when=lambda wanted=kill: started_attempts(side_effects) >= wanted)
            check(outcome.returncode == -signal.SIGKILL,
                  f"`ork {argv[0]}` ended with {outcome.returncode} before attempt {kill} started; "
                  f"stderr:\n{outcome.stderr}")
            reap_orphans(block_seconds=5)
        run_id = str(only_run_id(command.db))
        outcome = run_ork(command, ["resume", run_id], timeout_seconds=60, label="final-resume")
        check(outcome.returncode == 1, f"the final resume exited with {outcome.returncode}, expected 1 (the task "
                                       f"fails); stderr:\n{outcome.stderr}")
        check_attempts(command.db, run_id, started_attempts(side_effects))
    return 0


def write_workflow(folder: Path, side_effects: Path) -> Path:
    script = folder / "flaky.sh"
    script.write_text(FLAKY_SCRIPT)
    script.chmod(0o755)
    path = folder / "workflow.yaml"
    path.write_text("name: interrupted_retries\n"
                    "tasks:\n"
                    "  flaky:\n"
                    "    executor: process\n"
                    "    command: [./flaky.sh]\n"
                    "    retries: 1\n"
                    f"    env: {{SIDE_EFFECTS: {json.dumps(str(side_effects))}}}\n")
    return path


def started_attempts(side_effects: Path) -> int:
    return len(side_effects.read_text().splitlines()) if side_effects.exists() else 0


def check_attempts(db: Path, run_id: str, started: int) -> None:
    with open_store(db) as connection:
        status, attempts = connection.execute("SELECT status, attempts FROM tasks WHERE run_id = ?",
                                              (run_id,)).fetchone()
        errors = [str(error) for (error,) in connection.execute(
            "SELECT error FROM attempts WHERE run_id = ? ORDER BY attempt", (run_id,))]
    print(f"task flaky: {status} after {attempts} attempts ({started} started): {errors}", flush=True)
    check(status == "failed", f"the task ended {status}, expected failed")
    check(errors[:2] == [INTERRUPTED_ATTEMPT_ERROR] * 2, f"attempts 1 and 2 should be interrupted: {errors}")
    check(attempts == 4 and started == 4,
          f"{attempts} attempts recorded and {started} started, expected 4: the two interrupted attempts must "
          f"not use up the task's one retry (restore() in host/src/scheduler/run_scheduler.cpp counts only "
          f"the attempt interrupted just before this resume, not those of earlier owners)")
    check(all(error.startswith("exited with code 1") for error in errors[2:]),
          f"attempts 3 and 4 should fail with the task's exit code: {errors[2:]}")


if __name__ == "__main__":
    main_wrapper(main)
