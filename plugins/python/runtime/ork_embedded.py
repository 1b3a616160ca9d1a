"""Imports the worker runtime's modules from the code compiled into ork-python-worker, when first imported.

Part of the python executor's worker runtime: the one module ork-python-worker
executes itself at start (worker_main.cpp), before it imports `ork_worker`.
Every other runtime module is executed only when something imports it, so a
worker that only runs tasks never executes the introspection modules, nor
imports the standard modules they need (inspect, typing, dataclasses,
modulefinder: ~20 ms of a worker start that `ork run` waits for).
"""

from __future__ import annotations

import sys
from _frozen_importlib import ModuleSpec  # importlib.machinery.ModuleSpec, without importing importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, ModuleType
    from typing import Any


def install(codes: dict[str, CodeType], constants: dict[str, Any]) -> None:
    """Makes the modules of `codes` importable; each starts with `constants` in its globals."""
    sys.meta_path.insert(0, RuntimeImporter(codes, constants))


class RuntimeImporter:
    """A meta path finder and loader of the runtime modules, by module name."""

    def __init__(self, codes: dict[str, CodeType], constants: dict[str, Any]) -> None:
        self.codes = codes
        self.constants = constants

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name not in self.codes:
            return None
        return ModuleSpec(name, self, origin=runtime_filename(name))

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        # A filename starting with '<' marks runtime frames, which the runtime
        # leaves out of the tracebacks it shows to users.
        module.__file__ = runtime_filename(module.__name__)
        module.__dict__.update(self.constants)
        exec(self.codes[module.__name__], module.__dict__)


def runtime_filename(name: str) -> str:
    """The file name of a runtime module's code (embed_runtime.py and worker_main.cpp use the same)."""
    return f"<ork-runtime>/{name}.py"
