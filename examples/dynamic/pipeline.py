"""The Python tasks of examples/dynamic: plain typed functions, no ork import.

list_files -> clean (mapped: one instance per file, cached) -> check ->
publish (only when the check passes) / report (always) / alert (on failure).
Relative folders are read from this file's directory, so the workflow runs the
same from the repository root and from here.
"""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HEADER = "name,amount"


@dataclass
class DataFile:
    name: str
    sha256: str  # the content's hash: part of each instance's input, so its cache key


@dataclass
class Cleaned:
    file: str
    rows: int
    dropped: int


@dataclass
class Quality:
    passed: bool
    rows: int
    problems: list[str]


def list_files(folder: str) -> list[DataFile]:
    """The CSV files to process, in name order, each with its content hash."""
    paths = sorted((HERE / folder).glob("*.csv"))
    return [DataFile(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths]


def clean(file: DataFile, folder: str, out: str) -> Cleaned:
    """Keeps the rows with a name and a whole-number amount; writes them to `out`."""
    source = HERE / folder / file.name
    header, *lines = source.read_text().splitlines() or [""]
    if header != HEADER:
        raise ValueError(f"{Path(folder) / file.name}:1: the header is {header!r}, expected {HEADER!r}: is this a sales file?")
    kept = [line for line in lines if _is_valid(line)]
    target = HERE / out / file.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join([HEADER, *kept]) + "\n")
    print(f"{file.name}: kept {len(kept)} of {len(lines)} rows")
    return Cleaned(file.name, len(kept), len(lines) - len(kept))


def _is_valid(line: str) -> bool:
    name, _, amount = line.partition(",")
    return bool(name.strip()) and amount.strip().lstrip("-").isdigit()


def check(cleaned: list[Cleaned], lines: list[int], max_dropped: int) -> Quality:
    """Passes when no file lost more than `max_dropped` rows and every file was read whole."""
    problems = [f"{c.file}: {c.dropped} bad rows" for c in cleaned if c.dropped > max_dropped]
    problems += [f"{c.file}: cleaned {c.rows + c.dropped} rows of {n - 1}" for c, n in zip(cleaned, lines)
                 if c.rows + c.dropped != n - 1]
    return Quality(passed=not problems, rows=sum(c.rows for c in cleaned), problems=problems)


def publish(cleaned: list[Cleaned], out: str) -> str:
    """Writes the manifest of what was published (runs only when: check.passed)."""
    manifest = Path(out) / "published.json"
    (HERE / manifest).write_text(json.dumps([c.file for c in cleaned]) + "\n")
    print(f"published {len(cleaned)} files")
    return str(manifest)


def report(quality: Quality | None, out: str) -> str:
    """Writes the run's report, however the rest ended (trigger_rule: all_done)."""
    if quality is None:
        text = "no quality check: an earlier task failed"
    elif quality.passed:
        text = f"{quality.rows} rows, passed"
    else:
        text = f"{quality.rows} rows, failed: " + "; ".join(quality.problems)
    (HERE / out).mkdir(parents=True, exist_ok=True)
    (HERE / out / "report.txt").write_text(text + "\n")
    print(text)
    return text


def alert(upstream: dict[str, Any]) -> str:
    """Runs only when an upstream task failed (trigger_rule: any_failed): the on-failure hook."""
    failed = sorted(name for name, output in upstream.items() if output is None)
    text = "ALERT: the dynamic pipeline failed; no output from: " + ", ".join(failed)
    print(text)
    return text
