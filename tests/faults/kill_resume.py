"""Kill ork with SIGKILL at random points, resume each time, then check what it recorded.

A generated workflow of a few hundred short process tasks (a random DAG) runs
at concurrency 2. The harness SIGKILLs `ork run` / `ork resume` after a random
100-600 ms, 25 times in a row, checking the store's integrity after every
kill, then lets a last `ork resume` finish. Every task appends "start T N" and
"done T N" to a side-effect log, so the harness can tell apart the two kinds
of repeated work:

- an attempt that was in flight when ork died may have run (even to its end)
  and then run again as a new attempt: allowed, ork promises at-least-once
  execution for in-flight tasks, and the store must show that attempt as
  interrupted;
- a task whose success was recorded must never run again: one start line at
  an attempt after the recorded success, or a second one of the succeeded
  attempt, is a duplicate of a recorded success, and there must be none.

It also checks that the run succeeded, that every task has exactly one
succeeded attempt and it is its last, that each succeeded attempt's output
and every log line it wrote are recorded, that resumed tasks received the
recorded outputs of their upstream tasks, that a success seen after any kill
is never changed later, and that `PRAGMA integrity_check` says ok every time.
The seed is printed; rerun with `--seed N` to replay the same workflow and
kill delays (the kill points still vary with the machine's speed).
"""
from __future__ import annotations

import json
import random
import signal
import sqlite3
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from faults_support import (INTERRUPTED_ATTEMPT_ERROR, STDERR_STREAM, STDOUT_STREAM, CheckFailed, OrkCommand,
                            become_subreaper, check, integrity_check, main_wrapper, only_run_id, open_store,
                            ork_environment, parse_common_arguments, reap_orphans, run_ork, work_folder,
                            write_task_script)

DEFAULT_SEED = 20261126
CONCURRENCY = 2
KILL_DELAY_SECONDS = (0.1, 0.6)
# Each task sleeps this long. The total sleep (tasks × mean / concurrency)
# must exceed the longest possible killed stretch (kills × 0.6 s) so that the
# run cannot end before the last kill on any machine: 300 × 0.1 / 2 = 15 s.
TASK_SLEEP_SECONDS = (0.05, 0.15)
FINAL_RESUME_TIMEOUT_SECONDS = 300.0


def main() -> int:
    args = parse_common_arguments(
        __doc__.splitlines()[0], extra=[
            ("--seed", int, DEFAULT_SEED, "seed of the workflow's shape and of the kill delays"),
            ("--kills", int, 25, "how many times ork is killed before the run may finish"),
            ("--tasks", int, 300, "tasks in the generated workflow"),
        ])
    print(f"fault injection: seed {args.seed}, {args.tasks} tasks, {args.kills} kills "
          f"(replay with --seed {args.seed})", flush=True)
    become_subreaper()
    started = time.monotonic()
    with work_folder(args.workdir, "ork-faults-kill-") as folder:
        workflow = plan_workflow(random.Random(args.seed), args.tasks)
        workflow_file = write_workflow(folder, workflow)
        command = OrkCommand(binary=args.ork.resolve(), db=folder / "ork.db", folder=folder,
                             environment=ork_environment())
        campaign = kill_repeatedly(command, workflow_file, random.Random(args.seed + 1), args.kills)
        finish_run(command, campaign)
        reap_orphans(block_seconds=30)
        figures = check_invariants(command.db, folder / "side-effects.log", workflow, campaign)
    print_figures(args.seed, figures, time.monotonic() - started)
    return 0


# ---- the workflow -------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTask:
    name: str
    depends_on: list[str]
    sleep_seconds: float


def plan_workflow(rng: random.Random, count: int) -> list[PlannedTask]:
    """A random DAG: each task depends on up to two of the 20 tasks before it."""
    tasks: list[PlannedTask] = []
    for i in range(count):
        window = [t.name for t in tasks[max(0, i - 20):i]]
        depends_on = sorted(rng.sample(window, k=min(len(window), rng.randint(0, 2))))
        tasks.append(PlannedTask(name=f"t{i:03d}", depends_on=depends_on,
                                 sleep_seconds=round(rng.uniform(*TASK_SLEEP_SECONDS), 3)))
    return tasks


def write_workflow(folder: Path, workflow: list[PlannedTask]) -> Path:
    write_task_script(folder)
    lines = [
        "name: fault_injection",
        "defaults:",
        "  executor: process",
        f"  env: {{SIDE_EFFECTS: {json.dumps(str(folder / 'side-effects.log'))}}}",
        "tasks:",
    ]
    for task in workflow:
        lines.append(f"  {task.name}:")
        lines.append(f"    command: [./task.sh, \"{task.sleep_seconds:.3f}\"]")
        if task.depends_on:
            lines.append(f"    depends_on: [{', '.join(task.depends_on)}]")
    path = folder / "workflow.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


# ---- killing and resuming ------------------------------------------------------


@dataclass
class Campaign:
    """What happened while ork was being killed."""

    kills: int = 0
    run_id: str | None = None
    # Every (attempt, output) recorded as succeeded, as first seen after a kill.
    seen_successes: dict[str, tuple[int, str]] = field(default_factory=dict)
    integrity_checks: int = 0


def kill_repeatedly(command: OrkCommand, workflow_file: Path, rng: random.Random, kills: int) -> Campaign:
    campaign = Campaign()
    for launch in range(1, kills + 1):
        campaign.run_id = only_run_id(command.db)
        if campaign.run_id is None:  # killed before the run was recorded: start it again
            args = ["run", str(workflow_file), "--concurrency", str(CONCURRENCY)]
        else:
            args = ["resume", campaign.run_id, "--concurrency", str(CONCURRENCY)]
        delay = rng.uniform(*KILL_DELAY_SECONDS)
        outcome = run_ork(command, args, timeout_seconds=60, kill_after_seconds=delay, label=f"launch-{launch:02d}")
        check(outcome.returncode == -signal.SIGKILL,
              f"launch {launch} (`ork {args[0]}`) ended by itself with code {outcome.returncode} before the "
              f"SIGKILL due after {delay:.3f} s; stderr:\n{outcome.stderr}")
        campaign.kills += 1
        reap_orphans(block_seconds=0)
        integrity = integrity_check(command.db) if command.db.exists() else "ok"
        campaign.integrity_checks += 1
        check(integrity == "ok", f"PRAGMA integrity_check after kill {launch}: {integrity}")
        newly = record_successes(command.db, campaign)
        print(f"kill {launch:2d}: `ork {args[0]}` killed after {delay:.3f} s; {newly} more tasks recorded "
              f"succeeded ({len(campaign.seen_successes)} in all)", flush=True)
    campaign.run_id = only_run_id(command.db)
    return campaign


def record_successes(db: Path, campaign: Campaign) -> int:
    """Adds the store's recorded successes to the campaign; a recorded success must never change."""
    if campaign.run_id is None and only_run_id(db) is None:
        return 0
    with open_store(db) as connection:
        rows = connection.execute(
            "SELECT name, attempts, output_json FROM tasks WHERE status = 'succeeded'").fetchall()
    newly = 0
    for name, attempt, output in rows:
        previous = campaign.seen_successes.get(name)
        if previous is None:
            campaign.seen_successes[name] = (int(attempt), str(output))
            newly += 1
        else:
            check(previous == (int(attempt), str(output)),
                  f"task {name}: its recorded success changed from attempt {previous[0]} ({previous[1]}) "
                  f"to attempt {attempt} ({output})")
    return newly


def finish_run(command: OrkCommand, campaign: Campaign) -> None:
    check(campaign.run_id is not None, "no run was recorded during the whole kill campaign")
    assert campaign.run_id is not None
    outcome = run_ork(command, ["resume", campaign.run_id, "--concurrency", str(CONCURRENCY)],
                      timeout_seconds=FINAL_RESUME_TIMEOUT_SECONDS, label="final-resume")
    check(outcome.returncode == 0,
          f"the final `ork resume {campaign.run_id}` exited with {outcome.returncode}; stderr:\n{outcome.stderr}")
    print(f"final resume: run {campaign.run_id} finished in {outcome.seconds:.1f} s", flush=True)


# ---- the invariants --------------------------------------------------------------


@dataclass(frozen=True)
class RecordedAttempt:
    status: str
    output: str | None
    error: str | None


@dataclass
class Figures:
    kills_survived: int = 0
    integrity_checks: int = 0
    tasks_checked: int = 0
    attempts_recorded: int = 0
    interrupted_attempts: int = 0
    reexecuted_in_flight: int = 0        # interrupted attempts that had started their work
    completed_but_unrecorded: int = 0    # ... and even finished it before ork died
    log_lines_checked: int = 0
    duplicates_of_recorded_successes: int = 0


def check_invariants(db: Path, side_effect_log: Path, workflow: list[PlannedTask], campaign: Campaign) -> Figures:
    figures = Figures(kills_survived=campaign.kills)
    integrity = integrity_check(db)
    figures.integrity_checks = campaign.integrity_checks + 1
    check(integrity == "ok", f"PRAGMA integrity_check at the end: {integrity}")
    with open_store(db) as connection:
        (status,) = connection.execute("SELECT status FROM runs WHERE id = ?", (campaign.run_id,)).fetchone()
        check(status == "succeeded", f"run {campaign.run_id} ended {status}, expected succeeded")
        tasks = {str(name): (str(task_status), int(attempts), output) for name, task_status, attempts, output in
                 connection.execute("SELECT name, status, attempts, output_json FROM tasks WHERE run_id = ?",
                                    (campaign.run_id,))}
        attempts = read_attempts(connection, str(campaign.run_id))
        logs = read_logs(connection, str(campaign.run_id))
    starts, dones = read_side_effects(side_effect_log)
    check(len(tasks) == len(workflow), f"the store has {len(tasks)} tasks, the workflow {len(workflow)}")
    outputs: dict[str, object] = {}
    for task in workflow:
        task_status, final_attempt, output = tasks[task.name]
        check(task_status == "succeeded", f"task {task.name} ended {task_status}")
        outputs[task.name] = json.loads(output)
    for task in workflow:
        check_task(task, tasks[task.name][1], attempts[task.name], starts[task.name], dones[task.name], logs,
                   outputs, figures)
        recorded = campaign.seen_successes.get(task.name)
        if recorded is not None:
            check(recorded == (tasks[task.name][1], tasks[task.name][2]),
                  f"task {task.name}: recorded success {recorded} changed to {tasks[task.name][1:]}")
        figures.tasks_checked += 1
    return figures


def read_attempts(connection: sqlite3.Connection, run_id: str) -> dict[str, dict[int, RecordedAttempt]]:
    attempts: dict[str, dict[int, RecordedAttempt]] = defaultdict(dict)
    for task, attempt, status, output, error in connection.execute(
            "SELECT task, attempt, status, output_json, error FROM attempts WHERE run_id = ?", (run_id,)):
        attempts[str(task)][int(attempt)] = RecordedAttempt(status=str(status), output=output, error=error)
    return attempts


def read_logs(connection: sqlite3.Connection, run_id: str) -> dict[tuple[str, int, int], list[str]]:
    """(task, attempt, stream) → the recorded lines, in order."""
    logs: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for task, attempt, stream, line in connection.execute(
            "SELECT task, attempt, stream, line FROM logs WHERE run_id = ? ORDER BY id", (run_id,)):
        logs[(str(task), int(attempt), int(stream))].append(bytes(line).decode(errors="replace"))
    return logs


def read_side_effects(path: Path) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """task → attempt numbers of its "start" lines, and of its "done" lines."""
    starts: dict[str, list[int]] = defaultdict(list)
    dones: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        parts = line.split()
        check(len(parts) == 3 and parts[0] in ("start", "done") and parts[2].isdigit(),
              f"{path}:{number}: malformed side-effect line {line!r}")
        (starts if parts[0] == "start" else dones)[parts[1]].append(int(parts[2]))
    return starts, dones


def check_task(task: PlannedTask, final_attempt: int, attempts: dict[int, RecordedAttempt], starts: list[int],
               dones: list[int], logs: dict[tuple[str, int, int], list[str]], outputs: dict[str, object],
               figures: Figures) -> None:
    name = task.name
    succeeded = [n for n, a in attempts.items() if a.status == "succeeded"]
    check(succeeded == [final_attempt],
          f"task {name}: succeeded attempts {succeeded}, expected exactly its final attempt {final_attempt}")
    check(max(attempts) == final_attempt, f"task {name}: attempt {max(attempts)} recorded after the final one")
    figures.attempts_recorded += len(attempts)
    for number, attempt in attempts.items():
        if number == final_attempt:
            continue
        check(attempt.status == "failed" and attempt.error == INTERRUPTED_ATTEMPT_ERROR,
              f"task {name} attempt {number}: {attempt.status} ({attempt.error}); every attempt before the "
              f"succeeded one should have been interrupted by a kill")
        figures.interrupted_attempts += 1

    # Work done twice: only allowed for attempts the store shows as interrupted.
    after_success = [n for n in starts if n > final_attempt]
    duplicates = len(after_success) + max(0, starts.count(final_attempt) - 1)
    figures.duplicates_of_recorded_successes += duplicates
    check(duplicates == 0,
          f"task {name}: succeeded in attempt {final_attempt} but the side-effect log shows starts {starts}: "
          f"a recorded success ran again")
    check(starts.count(final_attempt) == 1 and dones.count(final_attempt) == 1,
          f"task {name}: the side-effect log has starts {starts} and dones {dones} for succeeded attempt "
          f"{final_attempt}; expected exactly one of each")
    for number in set(starts) - {final_attempt}:
        check(number in attempts and attempts[number].error == INTERRUPTED_ATTEMPT_ERROR,
              f"task {name}: attempt {number} ran (side-effect log) but the store does not show it interrupted")
    figures.reexecuted_in_flight += len([n for n in starts if n != final_attempt])
    figures.completed_but_unrecorded += len([n for n in dones if n != final_attempt])

    check_succeeded_attempt(task, final_attempt, attempts[final_attempt], logs, outputs, figures)


def check_succeeded_attempt(task: PlannedTask, attempt: int, recorded: RecordedAttempt,
                            logs: dict[tuple[str, int, int], list[str]], outputs: dict[str, object],
                            figures: Figures) -> None:
    """The attempt's output, and every line it wrote, are in the store, and it got its upstream outputs."""
    name = task.name
    expected_output = {"task": name, "attempt": attempt}
    check(outputs[name] == expected_output, f"task {name}: recorded output {outputs[name]}, "
                                            f"expected {expected_output}")
    check(recorded.output is not None and json.loads(recorded.output) == expected_output,
          f"task {name} attempt {attempt}: attempt row output {recorded.output}, expected {expected_output}")
    stdout = logs.get((name, attempt, STDOUT_STREAM), [])
    stderr = logs.get((name, attempt, STDERR_STREAM), [])
    expected_stdout_tail = [f"out {name} {attempt} 1", f"out {name} {attempt} 2"]
    check(len(stdout) == 3 and stdout[0].startswith("in ") and stdout[1:] == expected_stdout_tail,
          f"task {name} attempt {attempt}: recorded stdout {stdout}, expected an input line then "
          f"{expected_stdout_tail}")
    check(stderr == [f"err {name} {attempt}"], f"task {name} attempt {attempt}: recorded stderr {stderr}")
    received = json.loads(stdout[0][len("in "):])
    expected_upstream = {dep: outputs[dep] for dep in task.depends_on}
    check(received.get("upstream") == expected_upstream,
          f"task {name} attempt {attempt} received upstream {received.get('upstream')}, expected the recorded "
          f"outputs {expected_upstream}")
    figures.log_lines_checked += len(stdout) + len(stderr)


def print_figures(seed: int, figures: Figures, seconds: float) -> None:
    rows = [
        ("seed", seed),
        ("kills survived (SIGKILL, then resume)", figures.kills_survived),
        ("integrity checks ok", figures.integrity_checks),
        ("tasks checked (succeeded exactly once)", figures.tasks_checked),
        ("attempts recorded", figures.attempts_recorded),
        ("attempts interrupted by a kill", figures.interrupted_attempts),
        ("re-executed in-flight attempts", figures.reexecuted_in_flight),
        ("  of which had completed unrecorded", figures.completed_but_unrecorded),
        ("log lines of succeeded attempts checked", figures.log_lines_checked),
        ("duplicates of recorded successes found", figures.duplicates_of_recorded_successes),
        ("wall time (s)", f"{seconds:.1f}"),
    ]
    print("fault-injection summary:")
    for label, value in rows:
        print(f"  {label:<42} {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main_wrapper(main)
