"""`run`/`execute`: the process protocol end to end — result line, logs,
exit codes, tracebacks and `--ork-signature` — in process and as a real
subprocess of the interpreter running the tests."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import unittest
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

SDK_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SDK_ROOT))

from ork_sdk import EXIT_BAD_INPUT, EXIT_TASK_FAILED, execute  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclasses.dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def execute_with(function: Callable[..., Any], stdin: str, *args: str) -> Outcome:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = execute(function, ["task.py", *args], io.StringIO(stdin), stdout, stderr)
    return Outcome(code, stdout.getvalue(), stderr.getvalue())


def total(values: List[int], factor: int = 1) -> int:
    print("summing", len(values), "values")
    return sum(values) * factor


def chatty(count: int) -> Optional[str]:
    print("no newline at the end", end="")
    return None


def failing(count: int) -> int:
    raise RuntimeError(f"cannot handle {count}")


def echo(text: str) -> Dict[str, str]:
    return {"text": text}


def untyped(count):  # type: ignore[no-untyped-def]
    return count


def unserialisable(count: int) -> Any:
    return {"items": {count}}


class InProcess(unittest.TestCase):
    def test_logs_then_one_result_line(self) -> None:
        outcome = execute_with(total, '{"values": [1, 2], "factor": 3, "upstream": {}}')
        self.assertEqual(outcome.code, 0, outcome.stderr)
        self.assertEqual(outcome.stdout, "summing 2 values\nORK_OUTPUT:9\n")
        self.assertEqual(outcome.stderr, "")

    def test_result_marker_starts_its_own_line(self) -> None:
        outcome = execute_with(chatty, '{"count": 1}')
        self.assertEqual(outcome.stdout, "no newline at the end\nORK_OUTPUT:null\n")

    def test_result_is_compact_single_line_json(self) -> None:
        outcome = execute_with(echo, '{"text": "a\\nb é"}')
        self.assertEqual(outcome.stdout, 'ORK_OUTPUT:{"text":"a\\nb \\u00e9"}\n')

    def test_wrong_type_exits_2(self) -> None:
        outcome = execute_with(total, '{"values": [1, "2"]}')
        self.assertEqual(outcome.code, EXIT_BAD_INPUT)
        self.assertEqual(outcome.stderr, 'ork task input: parameter "values[1]": expected int, got str "2"\n')
        self.assertEqual(outcome.stdout, "")

    def test_missing_input_exits_2(self) -> None:
        outcome = execute_with(total, '{"factor": 2}')
        self.assertEqual(outcome.code, EXIT_BAD_INPUT)
        self.assertTrue(outcome.stderr.startswith('ork task input: missing input for parameter(s) "values"'))

    def test_invalid_or_non_object_input_exits_2(self) -> None:
        self.assertEqual(execute_with(total, "{").code, EXIT_BAD_INPUT)
        self.assertTrue(execute_with(total, "{").stderr.startswith("ork task input: the input is not valid JSON: "))
        self.assertEqual(
            execute_with(total, "[1]").stderr,
            "ork task input: the input must be a JSON object of named inputs, got a list of 1 item\n",
        )

    def test_exception_exits_1_with_traceback(self) -> None:
        outcome = execute_with(failing, '{"count": 4}')
        self.assertEqual(outcome.code, EXIT_TASK_FAILED)
        self.assertIn("Traceback (most recent call last):", outcome.stderr)
        self.assertIn('raise RuntimeError(f"cannot handle {count}")', outcome.stderr)
        self.assertTrue(outcome.stderr.endswith("ork task failed: RuntimeError: cannot handle 4\n"))
        self.assertNotIn("ORK_OUTPUT", outcome.stdout)

    def test_unserialisable_result_exits_1(self) -> None:
        outcome = execute_with(unserialisable, '{"count": 4}')
        self.assertEqual(outcome.code, EXIT_TASK_FAILED)
        self.assertTrue(outcome.stderr.startswith("ork task output: cannot serialise a value of type 'set'"))

    def test_signature_flag(self) -> None:
        outcome = execute_with(total, "", "--ork-signature")
        self.assertEqual(outcome.code, 0)
        self.assertEqual(
            outcome.stdout, '{"inputs":{"values":"list[int]","factor":"int"},"output":"int","defaults":["factor"]}\n'
        )

    def test_signature_refusal_exits_1(self) -> None:
        outcome = execute_with(untyped, "", "--ork-signature")
        self.assertEqual(outcome.code, EXIT_TASK_FAILED)
        self.assertIn("parameter 'count' has no type annotation", outcome.stderr)

    def test_sys_stdout_is_restored(self) -> None:
        before = sys.stdout
        execute_with(total, '{"values": []}')
        self.assertIs(sys.stdout, before)


class AsSubprocess(unittest.TestCase):
    """The fixture script run the way ork's process executor runs it."""

    def run_task(self, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "PYTHONPATH": str(SDK_ROOT)}
        return subprocess.run(
            [sys.executable, str(FIXTURES / "scale_task.py"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )

    def test_result_and_logs(self) -> None:
        done = self.run_task('{"upstream": {"values": [1, 2, 3]}, "factor": 10}')
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, 'scaling 3 values by 10\nORK_OUTPUT:{"values":[10,20,30],"total":60}\n')
        self.assertEqual(done.stderr, "a warning\n")

    def test_missing_input_exits_2(self) -> None:
        done = self.run_task('{"factor": 1}')
        self.assertEqual(done.returncode, EXIT_BAD_INPUT)
        self.assertIn('missing input for parameter(s) "values"', done.stderr)

    def test_wrong_type_exits_2(self) -> None:
        done = self.run_task('{"values": [1], "factor": "3"}')
        self.assertEqual(done.returncode, EXIT_BAD_INPUT)
        self.assertEqual(done.stderr, 'ork task input: parameter "factor": expected int | None, got str "3"\n')

    def test_exception_exits_1(self) -> None:
        done = self.run_task('{"values": [1], "factor": 0}')
        self.assertEqual(done.returncode, EXIT_TASK_FAILED)
        self.assertIn("ValueError: factor must not be 0", done.stderr)

    def test_ork_signature(self) -> None:
        done = self.run_task("", "--ork-signature")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(
            json.loads(done.stdout),
            {
                "inputs": {"values": "list[int]", "factor": "int | None"},
                "output": {"$name": "Scaled", "fields": {"values": "list[int]", "total": "int"}},
                "defaults": ["factor"],
            },
        )
        self.assertEqual(done.stdout.count("\n"), 1)


if __name__ == "__main__":
    unittest.main()
