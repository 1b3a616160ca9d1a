"""Tests of the doc-block harness itself: a page that tells the truth passes, a page that lies fails.

Each case writes a small Markdown page, runs doc_blocks.py on it against the
real build (so `ork` is the built binary) and checks the exit status and the
message. Run by ctest as docs.harness_self_test.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

FENCE = "```"


@dataclass
class Case:
    name: str
    page: str
    passes: bool
    message: str = ""  # a text the harness output must contain


CASES: list[Case] = [
    Case("a true transcript passes", f"{FENCE}console\n$ echo hello\nhello\n{FENCE}\n", True),
    Case(
        "a transcript whose output differs fails",
        f"{FENCE}console\n$ echo hello\nhola\n{FENCE}\n",
        False,
        "does not do what the page shows",
    ),
    Case(
        "an exit status other than the one shown fails",
        f"{FENCE}console\n$ false\n{FENCE}\n",
        False,
        "exit status: 1 (expected 0)",
    ),
    Case("an expected exit status passes", f"{FENCE}console\n$ exit 3\n[exit: 3]\n{FENCE}\n", True),
    Case("`...` skips lines and `[..]` skips text", f"{FENCE}console\n$ seq 5\n1\n...\n5\n$ echo a-b-c\na[..]c\n{FENCE}\n", True),
    Case(
        "durations and pids are normalised",
        f"{FENCE}console\n$ echo 'done in 12 ms by pid 99'\ndone in 3 ms by pid 1\n{FENCE}\n",
        True,
    ),
    Case(
        "a run id shown in the page stands for the one printed, and its prefix is substituted",
        f"{FENCE}console\n$ echo run 0123456789ab\nrun 389ea3056962\n$ echo 389e\n0123\n{FENCE}\n",
        True,
    ),
    Case(
        "an unmarked yaml block fails",
        f"{FENCE}yaml\nname: x\n{FENCE}\n",
        False,
        "must be run or marked",
    ),
    Case("an illustrative block is not run", f"{FENCE}yaml illustrative\nnot: [valid\n{FENCE}\n", True),
    Case(
        "a placed workflow that validates passes",
        f"{FENCE}yaml file=wf.yaml validate\nname: wf\ntasks:\n  a: {{executor: process, command: [\"true\"]}}\n{FENCE}\n",
        True,
    ),
    Case(
        "a placed workflow said to validate but refused fails",
        f"{FENCE}yaml file=wf.yaml validate\nname: wf\ntasks:\n  a: {{executor: process, comand: [\"true\"]}}\n{FENCE}\n",
        False,
        "expected 0",
    ),
    Case(
        "hidden set-up runs before the transcript",
        f"<!-- doc-test setup\necho secret > note.txt\n-->\n{FENCE}console\n$ cat note.txt\nsecret\n{FENCE}\n",
        True,
    ),
    Case("a shell block that fails fails", f"{FENCE}sh\ntrue\nfalse\n{FENCE}\n", False, "commands exited 1"),
    Case(
        "an excerpt of a real file passes",
        f"{FENCE}python excerpt=examples/simple_args/simple_args.py\ndef add(a: int, b: int = 10) -> int:\n{FENCE}\n",
        True,
    ),
    Case(
        "an excerpt that drifted from its file fails",
        f"{FENCE}python excerpt=examples/simple_args/simple_args.py\ndef add(a: int, b: int = 11) -> int:\n{FENCE}\n",
        False,
        "not a verbatim excerpt",
    ),
    Case("an unknown info word fails", f"{FENCE}console ilustrative\n$ true\n{FENCE}\n", False, "unknown word"),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--harness", type=Path, required=True)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--build", type=Path, required=True)
    args = parser.parse_args()
    failed = [case.name for case in CASES if not check(case, args)]
    for name in failed:
        print(f"FAILED: {name}", file=sys.stderr)
    print(f"{len(CASES) - len(failed)}/{len(CASES)} harness cases passed")
    return 1 if failed else 0


def check(case: Case, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="ork-doc-test-") as directory:
        page = Path(directory) / "page.md"
        page.write_text(case.page, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-B", str(args.harness), "--source", str(args.source), "--build", str(args.build), str(page)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    output = result.stdout + result.stderr
    ok = (result.returncode == 0) == case.passes and case.message in output
    if not ok:
        print(f"--- {case.name}: exit {result.returncode}\n{output}", file=sys.stderr)
    return ok


if __name__ == "__main__":
    sys.exit(main())
