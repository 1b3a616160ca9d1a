"""A task that writes 1 GB to stdout: ork streams it, records up to the log limit, and stays small.

One process task prints 1,000,000 lines of 1000 bytes (999 characters and a
newline: 1 GB), then its result line. The test measures the host's peak RSS
and checks that it stays under 200 MB, that the task succeeded with its
output, that the recorded stdout stops at the log limit (64 MiB by default)
and is followed by exactly one system note, and that the note accounts for
every line that was not recorded: recorded + dropped = 1,000,000 lines.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from faults_support import (STDOUT_STREAM, SYSTEM_STREAM, OrkCommand, check, check_peak_rss, main_wrapper, only_run_id,
                            open_store, ork_environment, parse_common_arguments, run_ork, work_folder)

LINES = 1_000_000
LINE_BYTES = 1000                      # with its newline
FLOOD_BYTES = LINES * LINE_BYTES       # 1 GB
DEFAULT_LOG_LIMIT_BYTES = 64 << 20     # host/src/scheduler/run_scheduler.cpp, log_limit_bytes()
PER_LINE_COST = 64  # host/src/scheduler/run_scheduler.cpp LogBudget::per_line_cost
RSS_LIMIT_BYTES = 200_000_000
NOTE = re.compile(r"^(\d+) more lines \((\d+) bytes\) were not recorded: this attempt's output exceeded the log "
                  r"limit of (\d+) bytes \(ORK_LOG_LIMIT_BYTES\)$")

WORKFLOW = f"""name: log_flood
tasks:
  flood:
    executor: process
    command: "yes \\"$(printf '%0{LINE_BYTES - 1}d' 0)\\" | head -c {FLOOD_BYTES}; echo 'ORK_OUTPUT:{{\\"flooded\\": true}}'"
"""


def main() -> int:
    args = parse_common_arguments(__doc__.splitlines()[0])
    with work_folder(args.workdir, "ork-faults-flood-") as folder:
        workflow_file = folder / "workflow.yaml"
        workflow_file.write_text(WORKFLOW)
        command = OrkCommand(binary=args.ork.resolve(), db=folder / "ork.db", folder=folder,
                             environment=ork_environment())
        outcome = run_ork(command, ["run", str(workflow_file)], timeout_seconds=300, label="flood")
        print(f"1 GB flood: ork took {outcome.seconds:.1f} s; host peak RSS {outcome.peak_rss_kib / 1024:.1f} MiB "
              f"(sampled VmHWM {outcome.sampled_hwm_kib / 1024:.1f} MiB)", flush=True)
        check(outcome.returncode == 0, f"ork exited with {outcome.returncode}; stderr:\n{outcome.stderr}")
        check_peak_rss(outcome.peak_bytes, RSS_LIMIT_BYTES)
        check_recorded_logs(command.db)
    return 0


def check_recorded_logs(db: Path) -> None:
    run_id = only_run_id(db)
    with open_store(db) as connection:
        status, output = connection.execute("SELECT status, output_json FROM tasks WHERE run_id = ?",
                                            (run_id,)).fetchone()
        lines, recorded_bytes, last_stdout_id = connection.execute(
            "SELECT count(*), coalesce(sum(length(line)), 0), max(id) FROM logs WHERE run_id = ? AND stream = ?",
            (run_id, STDOUT_STREAM)).fetchone()
        notes = connection.execute("SELECT id, line FROM logs WHERE run_id = ? AND stream = ? ORDER BY id",
                                   (run_id, SYSTEM_STREAM)).fetchall()
    check(status == "succeeded", f"the flooding task ended {status}")
    check(json.loads(output) == {"flooded": True}, f"the flooding task's recorded output is {output}")
    check(len(notes) == 1, f"expected one system note about the log limit, found {len(notes)}: {notes}")
    note_id, note_line = notes[0][0], bytes(notes[0][1]).decode()
    match = NOTE.match(note_line)
    check(match is not None, f"the system note does not read as expected: {note_line!r}")
    assert match is not None
    dropped_lines, dropped_bytes, limit = (int(group) for group in match.groups())
    print(f"recorded {lines} lines ({recorded_bytes} bytes) of stdout, then: {note_line}", flush=True)
    check(limit == DEFAULT_LOG_LIMIT_BYTES, f"the note names a limit of {limit} bytes, expected the default "
                                            f"{DEFAULT_LOG_LIMIT_BYTES}")
    # Each recorded line also counts PER_LINE_COST bytes against the limit (the row it costs).
    charged = recorded_bytes + lines * PER_LINE_COST
    check(limit - LINE_BYTES - PER_LINE_COST < charged <= limit,
          f"{recorded_bytes} bytes in {lines} lines of stdout recorded (charged {charged}); expected the log to "
          f"stop within one line of {limit}")
    check(note_id > last_stdout_id, "the note is not the last line of the attempt's log")
    check(lines + dropped_lines == LINES,
          f"{lines} lines recorded + {dropped_lines} dropped = {lines + dropped_lines}, expected {LINES}")
    check(recorded_bytes + dropped_bytes == LINES * (LINE_BYTES - 1),
          f"{recorded_bytes} bytes recorded + {dropped_bytes} dropped != {LINES * (LINE_BYTES - 1)} (newlines "
          f"excluded)")


if __name__ == "__main__":
    main_wrapper(main)
