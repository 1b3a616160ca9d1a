"""Runs the fenced blocks of ork's Markdown pages, so that a doc that lies fails the suite.

Each page (README.md, docs/*.md) is run in a sandbox directory of its own:
`build` links to the build tree, `sdk` to the SDKs and `examples/` is a fresh copy, so a page's
commands read exactly as a user would type them in a clone. A page that
mentions `$ORK_PREFIX` also gets ork installed there (`cmake --install`), as a
third party building against the installed headers would have it. Blocks run in the
order they appear. What a block does comes from its info string (the words
after the opening fence); docs/README.md is the authors' guide.

- ```console                a transcript: `$ command` lines are run with bash,
                             the lines after each are its expected output
                             (stdout and stderr together); `[exit: N]` as the
                             last expected line expects exit status N (else 0)
- ```sh                     commands run with `bash -euo pipefail`; must exit 0
- ```LANG file=PATH          the block's text is written to PATH in the sandbox
                             (add `validate` to run `ork validate PATH`, or
                             `refused` to expect it to be refused with exit 2)
- ```LANG excerpt=PATH       the block is a verbatim excerpt of the repository's
                             file PATH (quoted examples cannot drift from the real files)
- ```LANG illustrative       shown only; counted, never run
- <!-- doc-test setup ... -->        hidden shell commands (e.g. create a fixture)
- <!-- doc-test file=PATH ... -->    a hidden file

Expected output is compared line by line after normalising what legitimately
varies between runs (durations, timestamps, pids, interpreter versions, colours).
A line `...` matches any number of lines and `[..]` any text within a line. A
12-hex-digit run id in the expected output stands for whatever id ork printed
there; later commands that name that id, or a prefix of it, get the real one.

Usage: doc_blocks.py --source REPO --build BUILD_DIR PAGE.md...   (run pages)
       doc_blocks.py --source REPO --count PAGE.md...              (count only)
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

COMMAND_TIMEOUT_SECONDS = 180
RUNNABLE_BY_DEFAULT = {"console", "sh"}
KNOWN_FLAGS = {"illustrative", "validate", "refused"}
KNOWN_KEYS = {"file", "excerpt"}


@dataclass
class Block:
    """One fenced block (or hidden doc-test comment) of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    language: str
    flags: set[str]
    options: dict[str, str]
    text: str
    hidden: bool = False

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass
class PageTally:
    """How many blocks of a page ran, how many only placed files, how many are illustrative."""

    ran: int = 0
    files: int = 0
    illustrative: int = 0
    commands: int = 0
    hidden: int = 0


class DocFailure(Exception):
    """A block whose behaviour differs from what the page says."""


def main(argv: Sequence[str]) -> int:
    args = parse_arguments(argv)
    totals = PageTally()
    failures: list[str] = []
    for page in args.pages:
        try:
            blocks = list(read_blocks(page))
            unmarked = [error for block in blocks if (error := marking_error(block))]
            if unmarked:
                failures.extend(unmarked)
                continue
            tally = count_only(blocks) if args.count else run_page(page, blocks, args.source, args.build)
        except DocFailure as failure:
            failures.append(str(failure))
            continue
        report(page, tally)
        add_tally(totals, tally)
    if len(args.pages) > 1:
        report(Path("total"), totals)
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the fenced blocks of Markdown pages.")
    parser.add_argument("--source", type=Path, required=True, help="the repository root")
    parser.add_argument("--build", type=Path, help="the build directory (bin/ork inside)")
    parser.add_argument("--count", action="store_true", help="check the markings and count, run nothing")
    parser.add_argument("pages", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if not args.count and args.build is None:
        parser.error("--build is required unless --count")
    return args


# ---- reading a page -------------------------------------------------------

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
HIDDEN_OPEN = re.compile(r"^<!--\s*doc-test\s+(?P<info>.*?)\s*$")


def read_blocks(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        hidden = HIDDEN_OPEN.match(lines[index])
        if fence:
            closing = find_closing_fence(lines, index, fence.group("fence"), page)
            yield make_block(page, index + 1, fence.group("info"), lines[index + 1 : closing], hidden=False)
            index = closing + 1
        elif hidden:
            closing = find_comment_end(lines, index, page)
            yield make_block(page, index + 1, "sh " + hidden.group("info"), lines[index + 1 : closing], hidden=True)
            index = closing + 1
        else:
            index += 1


def find_closing_fence(lines: list[str], opening: int, fence: str, page: Path) -> int:
    for index in range(opening + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
            return index
    raise DocFailure(f"{page}:{opening + 1}: fenced block is never closed")


def find_comment_end(lines: list[str], opening: int, page: Path) -> int:
    for index in range(opening + 1, len(lines)):
        if lines[index].strip() == "-->":
            return index
    raise DocFailure(f"{page}:{opening + 1}: doc-test comment is never closed (end it with a line `-->`)")


def make_block(page: Path, line: int, info: str, body: list[str], hidden: bool) -> Block:
    words = info.split()
    language = words[0] if words else ""
    flags: set[str] = set()
    options: dict[str, str] = {}
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if equals and key in KNOWN_KEYS:
            options[key] = value
        elif not equals and word in KNOWN_FLAGS | {"setup"}:
            flags.add(word)
        else:
            raise DocFailure(f"{page}:{line}: unknown word {word!r} in the info string {info.strip()!r}")
    if hidden and language == "sh" and "file" in options:
        language = Path(options["file"]).suffix.lstrip(".") or "text"
    text = "\n".join(body) + ("\n" if body else "")
    return Block(page, line, language, flags, options, text, hidden)


def marking_error(block: Block) -> str | None:
    """Every block says what it is: run, a file placed for later blocks, or an illustration."""
    if "illustrative" in block.flags:
        if block.options or block.flags - {"illustrative"}:
            return f"{block.where}: an illustrative block takes no other marking"
        return None
    if {"file", "excerpt"} & block.options.keys() or block.language in RUNNABLE_BY_DEFAULT or "setup" in block.flags:
        if ({"validate", "refused"} & block.flags) and "file" not in block.options:
            return f"{block.where}: `validate`/`refused` need `file=PATH`"
        return None
    shown = block.language or "(no language)"
    return (
        f"{block.where}: a ```{shown} block must be run or marked: add `file=PATH` to place it "
        "for the commands after it, or `illustrative` if it cannot run (see docs/README.md)"
    )


def count_only(blocks: list[Block]) -> PageTally:
    tally = PageTally()
    for block in blocks:
        if "illustrative" in block.flags:
            tally.illustrative += 1
        elif block.hidden:
            tally.hidden += 1
        elif "file" in block.options and not ({"validate", "refused"} & block.flags):
            tally.files += 1
        else:
            tally.ran += 1
    return tally


# ---- running a page -------------------------------------------------------


@dataclass
class Sandbox:
    """The directory a page runs in, and what its commands started."""

    root: Path
    env: dict[str, str]
    process_groups: list[int] = field(default_factory=list)
    run_ids: dict[str, str] = field(default_factory=dict)  # id as written in the doc -> id ork printed


def run_page(page: Path, blocks: list[Block], source: Path, build: Path) -> PageTally:
    tally = count_only(blocks)
    with tempfile.TemporaryDirectory(prefix="ork-doc-") as directory:
        sandbox = make_sandbox(Path(directory), source, build)
        if "ORK_PREFIX" in page.read_text(encoding="utf-8"):
            install_ork(sandbox, build)
        try:
            for block in blocks:
                if "illustrative" not in block.flags:
                    tally.commands += run_block(block, sandbox)
        finally:
            stop_background(sandbox)
    return tally


def make_sandbox(root: Path, source: Path, build: Path) -> Sandbox:
    (root / "build").symlink_to(build.resolve())
    shutil.copytree(source / "examples", root / "examples", symlinks=True)
    (root / "sdk").symlink_to((source / "sdk").resolve())  # read-only use: SDK tests, PYTHONPATH
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORK_")}
    env["PATH"] = f"{(build / 'bin').resolve()}:{env.get('PATH', '/usr/bin:/bin')}"
    env["ORK_DOC_SOURCE"] = str(source.resolve())
    env["NO_COLOR"] = "1"
    env["LC_ALL"] = "C.UTF-8"
    return Sandbox(root, env)


def install_ork(sandbox: Sandbox, build: Path) -> None:
    """Pages about building against ork get a real installed tree at $ORK_PREFIX."""
    prefix = sandbox.root / "prefix"
    subprocess.run(
        ["cmake", "--install", str(build), "--prefix", str(prefix)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    sandbox.env["ORK_PREFIX"] = str(prefix)


def run_block(block: Block, sandbox: Sandbox) -> int:
    if "excerpt" in block.options:
        check_excerpt(block, Path(sandbox.env["ORK_DOC_SOURCE"]))
        return 1
    if "file" in block.options:
        place_file(block, sandbox)
        if "validate" in block.flags or "refused" in block.flags:
            expected = 2 if "refused" in block.flags else 0
            result = run_command(f"ork validate {block.options['file']}", sandbox, block)
            if result.returncode != expected:
                raise DocFailure(
                    f"{block.where}: `ork validate {block.options['file']}` exited {result.returncode}, "
                    f"expected {expected}:\n{result.stdout}"
                )
            return 1
        return 0
    if block.language == "console":
        return run_transcript(block, sandbox)
    result = run_command("set -euo pipefail\n" + block.text, sandbox, block)
    if result.returncode != 0:
        raise DocFailure(f"{block.where}: commands exited {result.returncode}:\n{result.stdout}")
    return 1


def check_excerpt(block: Block, source: Path) -> None:
    quoted = source / block.options["excerpt"]
    if not quoted.is_file():
        raise DocFailure(f"{block.where}: excerpt={block.options['excerpt']} does not exist")
    if block.text.strip("\n") not in quoted.read_text(encoding="utf-8"):
        raise DocFailure(f"{block.where}: the block is not a verbatim excerpt of {block.options['excerpt']} any more")


def place_file(block: Block, sandbox: Sandbox) -> None:
    relative = Path(block.options["file"])
    if relative.is_absolute() or ".." in relative.parts:
        raise DocFailure(f"{block.where}: file= must be a relative path inside the sandbox")
    target = sandbox.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block.text, encoding="utf-8")
    if block.text.startswith("#!"):
        target.chmod(0o755)


@dataclass
class TranscriptStep:
    command: str
    expected: list[str]
    exit_code: int
    line: int


def run_transcript(block: Block, sandbox: Sandbox) -> int:
    steps = parse_transcript(block)
    for step in steps:
        command = substitute_run_ids(step.command, sandbox.run_ids)
        result = run_command(command, sandbox, block)
        actual = [normalise(line) for line in clean_output(result.stdout)]
        expected = [normalise(line) for line in step.expected]
        bindings = match_lines(expected, actual, dict(sandbox.run_ids))
        if bindings is None or result.returncode != step.exit_code:
            raise DocFailure(describe_mismatch(block, step, command, result, actual))
        sandbox.run_ids.update(bindings)
    return len(steps)


def parse_transcript(block: Block) -> list[TranscriptStep]:
    steps: list[TranscriptStep] = []
    lines = block.text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            if not steps:
                raise DocFailure(f"{block.page}:{block.line + 1 + index}: a transcript starts with a `$ command` line")
            steps[-1].expected.append(line)
            index += 1
            continue
        command = line[2:]
        start = index
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command = command[:-1] + "\n" + lines[index]
        steps.append(TranscriptStep(command, [], 0, block.line + 1 + start))
        index += 1
    for step in steps:
        while step.expected and step.expected[-1].strip() == "":
            step.expected.pop()
        if step.expected and (exit_line := re.fullmatch(r"\[exit: (\d+)\]", step.expected[-1].strip())):
            step.exit_code = int(exit_line.group(1))
            step.expected.pop()
    return steps


def run_command(command: str, sandbox: Sandbox, block: Block) -> subprocess.CompletedProcess[str]:
    # Output goes to a file, not a pipe: a command may leave a server running in
    # the background (`ork serve &`), which would hold a pipe open forever.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as output:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=sandbox.root,
            env=sandbox.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        sandbox.process_groups.append(process.pid)
        try:
            returncode = process.wait(timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise DocFailure(f"{block.where}: `{command}` did not finish in {COMMAND_TIMEOUT_SECONDS} s")
        output.seek(0)
        return subprocess.CompletedProcess(command, returncode, output.read(), "")


def stop_background(sandbox: Sandbox) -> None:
    for group in sandbox.process_groups:
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            pass


# ---- comparing output -----------------------------------------------------

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NORMALISERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s)\b"), "<duration>"),
    (re.compile(r"\bpid \d+"), "pid <pid>"),
    (re.compile(r"\bPython 3\.\d+\.\d+"), "Python <version>"),
]
RUN_ID = re.compile(r"\b[0-9a-f]{12}\b")


def clean_output(text: str) -> list[str]:
    lines = [ANSI_ESCAPE.sub("", line).rstrip() for line in text.splitlines()]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def normalise(line: str) -> str:
    line = line.rstrip()
    for pattern, replacement in NORMALISERS:
        line = pattern.sub(replacement, line)
    # Table columns move when a normalised value was wider or narrower.
    indent = len(line) - len(line.lstrip(" "))
    return line[:indent] + re.sub(r" {2,}", " ", line[indent:])


def match_lines(expected: list[str], actual: list[str], bound: dict[str, str]) -> dict[str, str] | None:
    """The run-id bindings under which `expected` matches `actual`, or None."""
    if not expected:
        return bound if not actual else None
    if expected[0].strip() == "...":
        for skip in range(len(actual) + 1):
            result = match_lines(expected[1:], actual[skip:], dict(bound))
            if result is not None:
                return result
        return None
    if not actual:
        return None
    line_bindings = match_line(expected[0], actual[0], bound)
    if line_bindings is None:
        return None
    return match_lines(expected[1:], actual[1:], line_bindings)


def match_line(expected: str, actual: str, bound: dict[str, str]) -> dict[str, str] | None:
    pattern_parts: list[str] = []
    doc_ids: list[str] = []
    position = 0
    for token in re.finditer(r"\[\.\.\]|\b[0-9a-f]{12}\b", expected):
        pattern_parts.append(re.escape(expected[position : token.start()]))
        if token.group() == "[..]":
            pattern_parts.append(".*?")
        elif token.group() in bound:
            pattern_parts.append(re.escape(bound[token.group()]))
        else:
            pattern_parts.append("([0-9a-f]{12})")
            doc_ids.append(token.group())
        position = token.end()
    pattern_parts.append(re.escape(expected[position:]))
    found = re.fullmatch("".join(pattern_parts), actual)
    if found is None:
        return None
    result = dict(bound)
    for doc_id, real_id in zip(doc_ids, found.groups()):
        if result.setdefault(doc_id, real_id) != real_id:
            return None
    return result


def substitute_run_ids(command: str, run_ids: dict[str, str]) -> str:
    def replace(token: re.Match[str]) -> str:
        for doc_id, real_id in run_ids.items():
            if doc_id.startswith(token.group()):
                return real_id[: len(token.group())]
        return token.group()

    return re.sub(r"\b[0-9a-f]{4,12}\b", replace, command)


def describe_mismatch(
    block: Block, step: TranscriptStep, command: str, result: subprocess.CompletedProcess[str], actual: list[str]
) -> str:
    expected = "\n".join("    " + normalise(line) for line in step.expected) or "    (no output)"
    got = "\n".join("    " + line for line in actual) or "    (no output)"
    return (
        f"{block.page}:{step.line}: `{command}` does not do what the page shows\n"
        f"  exit status: {result.returncode} (expected {step.exit_code})\n"
        f"  expected (normalised):\n{expected}\n  actual (normalised):\n{got}"
    )


# ---- reporting ------------------------------------------------------------


def report(page: Path, tally: PageTally) -> None:
    print(
        f"{page}: {tally.ran} blocks run ({tally.commands} commands), {tally.files} files placed, "
        f"{tally.hidden} hidden set-up blocks, {tally.illustrative} illustrative"
    )


def add_tally(totals: PageTally, tally: PageTally) -> None:
    totals.ran += tally.ran
    totals.files += tally.files
    totals.illustrative += tally.illustrative
    totals.commands += tally.commands
    totals.hidden += tally.hidden


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
