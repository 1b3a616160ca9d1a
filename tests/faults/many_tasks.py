"""10,000 tasks in one run: all succeed, and the host's peak RSS stays under 200 MB.

The workflow is 100 independent chains of 100 `/bin/true` process tasks each
(every task but the first of a chain depends on the one before it), run at
concurrency 4. The test checks that ork exits 0, that the store holds 10,000
succeeded tasks with one succeeded attempt each, and that the host's peak RSS
(ru_maxrss from wait4) is under 200 MB. It prints the time taken and the peak.
"""
from __future__ import annotations

from pathlib import Path

from faults_support import (OrkCommand, check, check_peak_rss, main_wrapper, only_run_id, open_store, ork_environment,
                            parse_common_arguments, run_ork, work_folder)

CHAINS = 100
CHAIN_LENGTH = 100
CONCURRENCY = 4
RSS_LIMIT_BYTES = 200_000_000


def main() -> int:
    args = parse_common_arguments(__doc__.splitlines()[0])
    with work_folder(args.workdir, "ork-faults-many-") as folder:
        workflow_file = write_workflow(folder)
        command = OrkCommand(binary=args.ork.resolve(), db=folder / "ork.db", folder=folder,
                             environment=ork_environment())
        outcome = run_ork(command, ["run", str(workflow_file), "--concurrency", str(CONCURRENCY)],
                          timeout_seconds=600, label="many")
        total = CHAINS * CHAIN_LENGTH
        print(f"{total} tasks: ork took {outcome.seconds:.1f} s ({outcome.seconds / total * 1000:.2f} ms per task); "
              f"host peak RSS {outcome.peak_rss_kib / 1024:.1f} MiB (sampled VmHWM "
              f"{outcome.sampled_hwm_kib / 1024:.1f} MiB)", flush=True)
        check(outcome.returncode == 0, f"ork exited with {outcome.returncode}; stderr:\n{outcome.stderr[-4000:]}")
        check_peak_rss(outcome.peak_bytes, RSS_LIMIT_BYTES)
        check_all_succeeded(command.db, total)
    return 0


def write_workflow(folder: Path) -> Path:
    lines = ["name: many_tasks", "defaults:", "  executor: process", "tasks:"]
    for chain in range(CHAINS):
        for link in range(CHAIN_LENGTH):
            lines += [f"  c{chain:02d}_{link:02d}:", "    command: [/bin/true]"]
            if link > 0:
                lines.append(f"    depends_on: c{chain:02d}_{link - 1:02d}")
    path = folder / "workflow.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def check_all_succeeded(db: Path, total: int) -> None:
    run_id = only_run_id(db)
    with open_store(db) as connection:
        (run_status,) = connection.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
        counts = dict(connection.execute("SELECT status, count(*) FROM tasks WHERE run_id = ? GROUP BY status",
                                         (run_id,)).fetchall())
        (attempts,) = connection.execute(
            "SELECT count(*) FROM attempts WHERE run_id = ? AND status = 'succeeded' AND attempt = 1",
            (run_id,)).fetchone()
    check(run_status == "succeeded", f"the run ended {run_status}")
    check(counts == {"succeeded": total}, f"task statuses {counts}, expected {total} succeeded")
    check(attempts == total, f"{attempts} succeeded first attempts recorded, expected {total}")


if __name__ == "__main__":
    main_wrapper(main)
