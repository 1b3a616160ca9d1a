"""The process-task helper behind `ork_sdk.run(fn)`.

ork's process protocol (DESIGN §5): stdin is one JSON object (the bound
inputs plus `upstream`); the result is one stdout line
`ORK_OUTPUT:<single-line JSON>`; every other line of stdout and stderr is a
log line; a non-zero exit fails the task. `--ork-signature` as the first
argument prints the function's signature JSON instead of running it.
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any, Callable, Dict, NoReturn, Sequence, TextIO, cast

from ork_sdk._binding import InputError, bind_arguments, describe_value
from ork_sdk._serialise import SerialisationError, to_json_data
from ork_sdk._types import SignatureError, signature

EXIT_TASK_FAILED = 1
"""Exit code when the function raised, its result cannot be serialised, or its annotations are broken."""
EXIT_BAD_INPUT = 2
"""Exit code when stdin is not an object the function's parameters accept."""

SIGNATURE_FLAG = "--ork-signature"
OUTPUT_MARKER = "ORK_OUTPUT:"


def run(function: Callable[..., Any]) -> NoReturn:
    """Runs `function` as an ork process task (or prints its signature) and exits."""
    sys.exit(execute(function, sys.argv, sys.stdin, sys.stdout, sys.stderr))


def execute(
    function: Callable[..., Any], argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    """What `run` does, on the given streams, returning the exit code.

    While the function runs, `sys.stdout` writes to `stdout` so that its
    prints are log lines there.
    """
    if len(argv) > 1 and argv[1] == SIGNATURE_FLAG:
        return _print_signature(function, stdout, stderr)
    try:
        arguments = bind_arguments(function, _read_input(stdin))
    except InputError as error:
        return _report(stderr, f"ork task input: {error}", EXIT_BAD_INPUT)
    except SignatureError as error:
        return _report(stderr, f"ork task definition: {error}", EXIT_TASK_FAILED)
    tracker = _LineTracker(stdout)
    try:
        result = _call(function, arguments, tracker)
    except Exception as error:  # the task failed: its traceback is its error log
        stderr.write("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        return _report(stderr, f"ork task failed: {type(error).__name__}: {error}", EXIT_TASK_FAILED)
    try:
        data = to_json_data(result)
    except SerialisationError as error:
        return _report(stderr, f"ork task output: {error}", EXIT_TASK_FAILED)
    if not tracker.at_line_start:  # the task printed without a final newline; the marker must start a line
        stdout.write("\n")
    stdout.write(OUTPUT_MARKER + json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n")
    stdout.flush()
    return 0


def _print_signature(function: Callable[..., Any], stdout: TextIO, stderr: TextIO) -> int:
    try:
        described = signature(function)
    except SignatureError as error:
        return _report(stderr, "\n".join(f"ork task signature: {message}" for message in error.messages),
                       EXIT_TASK_FAILED)
    stdout.write(json.dumps(described, separators=(",", ":")) + "\n")
    stdout.flush()
    return 0


def _read_input(stdin: TextIO) -> Dict[str, Any]:
    text = stdin.read()
    if not text.strip():  # run by hand with no input: no inputs
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"the input is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise InputError(f"the input must be a JSON object of named inputs, got {describe_value(value)}")
    return value


def _call(function: Callable[..., Any], arguments: Dict[str, Any], tracker: _LineTracker) -> Any:
    previous = sys.stdout
    sys.stdout = cast(TextIO, tracker)
    try:
        return function(**arguments)
    finally:
        sys.stdout = previous
        tracker.flush()


class _LineTracker:
    """Stands in for sys.stdout during the call to know whether the last print ended its line."""

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self.at_line_start = True

    def write(self, text: str) -> int:
        if text:
            self.at_line_start = text.endswith("\n")
        return self._target.write(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


def _report(stderr: TextIO, message: str, code: int) -> int:
    stderr.write(message + "\n")
    stderr.flush()
    return code
