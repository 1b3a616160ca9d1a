"""ork_sdk: run a typed Python function as an ork `process` task.

ork's `python` executor imports plain functions itself; this helper is for
Python code ork cannot import (another interpreter or virtualenv, a script
with its own dependencies, a program that also has a CLI). It speaks ork's
process protocol so the function stays plain:

    from ork_sdk import run

    def main(values: list[int], factor: int = 2) -> list[int]:
        return [v * factor for v in values]

    if __name__ == "__main__":
        run(main)

Standard library only; Python 3.9 or newer.
"""

from __future__ import annotations

from ork_sdk._binding import InputError, bind_arguments
from ork_sdk._runner import EXIT_BAD_INPUT, EXIT_TASK_FAILED, OUTPUT_MARKER, SIGNATURE_FLAG, execute, run
from ork_sdk._serialise import SerialisationError, to_json_data
from ork_sdk._types import SignatureError, signature

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_TASK_FAILED",
    "OUTPUT_MARKER",
    "SIGNATURE_FLAG",
    "InputError",
    "SerialisationError",
    "SignatureError",
    "bind_arguments",
    "execute",
    "run",
    "signature",
    "to_json_data",
]
__version__ = "0.1.0"
