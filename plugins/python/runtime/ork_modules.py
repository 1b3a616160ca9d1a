"""Task modules for ork-python-worker: importing them by file or module name, re-importing an edited one, and finding a task function in them.

Part of the python executor's worker runtime (see ork_worker, which uses it).
A module is kept with what was derived from it (signatures, call plans) until
its file changes; import failures become TaskErrors naming the line the user
can fix, never a traceback of Python's own import machinery.

On the path of every task run, so it imports no standard module: a task file
is imported through the import system's own bootstrap modules (what
importlib.util re-exports, always loaded), and inspect, importlib and
traceback only on the paths that need them.
"""

from __future__ import annotations

import _frozen_importlib as bootstrap  # importlib._bootstrap
import _frozen_importlib_external as bootstrap_external  # importlib._bootstrap_external
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any, Callable

    from ork_bind import CallPlan


class TaskError(Exception):
    """A task cannot be loaded, bound or called; `key` names the task key it is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


class LoadedModule:
    """A task module as imported, with what was derived from it (valid until its file changes)."""

    __slots__ = ("module", "display", "stamp", "signatures", "plans")

    def __init__(self, module: ModuleType, display: str, stamp: tuple[int, int, int] | None) -> None:
        self.module = module
        self.display = display
        self.stamp = stamp
        self.signatures: dict[str, dict[str, Any]] = {}
        self.plans: dict[str, CallPlan] = {}


def find_function(loaded: LoadedModule, name: str) -> Callable[..., Any]:
    """The task function `name` in the module, or a TaskError listing what exists."""
    candidate = getattr(loaded.module, name, None)
    if callable(candidate) and not isinstance(candidate, type):
        function: Callable[..., Any] = candidate
        return function
    import inspect

    available = [
        key
        for key, value in vars(loaded.module).items()
        if inspect.isfunction(value) and value.__module__ == loaded.module.__name__ and not key.startswith("_")
    ]
    import difflib

    close = difflib.get_close_matches(name, available, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    listing = ", ".join(available) if available else "none"
    raise TaskError("function", f"no function '{name}' in {loaded.display}{hint}; functions: {listing}")


def def_location(function: Callable[..., Any], loaded: LoadedModule) -> str:
    import inspect

    code = getattr(inspect.unwrap(function), "__code__", None)
    if code is None:
        return loaded.display
    return f"{_display_path(code.co_filename, loaded)}:{code.co_firstlineno}"


def _display_path(path: str, loaded: LoadedModule) -> str:
    if path == getattr(loaded.module, "__file__", None):
        return loaded.display
    return path


class ModuleCache:
    """Task modules by absolute path or module name; re-imported when their file changes."""

    def __init__(self, workflow_dir: str) -> None:
        self.workflow_dir = workflow_dir
        self.by_key: dict[str, LoadedModule] = {}

    def load(self, request: dict[str, Any]) -> LoadedModule:
        if request.get("file"):
            return self.load_file(request["file"], request.get("display") or request["file"])
        if request.get("module"):
            return self.load_module(request["module"])
        raise TaskError("", "the task names neither 'file' nor 'module'")

    def load_file(self, path: str, display: str) -> LoadedModule:
        key = "file:" + path
        try:
            stamp = _stamp(path)
        except OSError as error:
            raise TaskError("file", f"cannot read {display}: {error.strerror}") from error
        cached = self.by_key.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
        name = cached.module.__name__ if cached else self._module_name_for(path)
        module = self._execute_file(path, name, display)
        loaded = LoadedModule(module, display, stamp)
        self.by_key[key] = loaded
        return loaded

    def _module_name_for(self, path: str) -> str:
        # The file's stem keeps error messages and pickles readable, and lets a
        # sibling `import etl` share the module. A hashed name is used instead
        # when the stem belongs to another module (stdlib, installed, already
        # imported): registering the task file under it would shadow that one.
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem.isidentifier() and stem not in sys.modules and stem not in sys.stdlib_module_names:
            try:
                spec = bootstrap._find_spec(stem, None)  # importlib.util.find_spec of a name not in sys.modules
            except (ImportError, ValueError):
                spec = None
            if spec is None or spec.origin == path:
                return stem
        return f"ork_task_{stem if stem.isidentifier() else 'file'}_{abs(hash(path)):x}"

    def _execute_file(self, path: str, name: str, display: str) -> ModuleType:
        spec = bootstrap_external.spec_from_file_location(name, path)
        if spec is None:
            raise TaskError("file", f"{display} cannot be imported as a Python module (is it a .py file?)")
        module = bootstrap.module_from_spec(spec)
        previous = sys.modules.get(name)
        # Registered before executing: dataclasses and `from __future__ import
        # annotations` look the module up in sys.modules while it runs.
        sys.modules[name] = module
        try:
            with open(path, "rb") as source:
                code = compile(source.read(), path, "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except BaseException as error:
            if previous is not None:
                sys.modules[name] = previous
            else:
                sys.modules.pop(name, None)
            raise self._import_failure("file", display, path, error) from error
        return module

    def load_module(self, name: str) -> LoadedModule:
        key = "module:" + name
        cached = self.by_key.get(key)
        if cached is not None:
            file = getattr(cached.module, "__file__", None)
            if file is None or _stamp_or_none(file) == cached.stamp:
                return cached
        import importlib

        try:
            if cached is not None:
                module = importlib.reload(cached.module)
            else:
                importlib.invalidate_caches()
                module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
                raise TaskError(
                    "module",
                    f"module '{name}' not found: no {error.name.replace('.', '/')}.py or package "
                    f"{error.name.replace('.', '/')}/ in the workflow directory {self.workflow_dir} "
                    "or on the worker's python path",
                ) from error
            raise self._import_failure("module", f"module '{name}'", "", error) from error
        except BaseException as error:
            raise self._import_failure("module", f"module '{name}'", "", error) from error
        file = getattr(module, "__file__", None)
        display = self._relative(file) if file else name
        loaded = LoadedModule(module, display, _stamp_or_none(file) if file else None)
        self.by_key[key] = loaded
        return loaded

    def _import_failure(self, key: str, display: str, path: str, error: BaseException) -> TaskError:
        if isinstance(error, SyntaxError):
            filename = error.filename or path
            where = display if filename == path else self._relative(filename)
            return TaskError(key, f"{where}:{error.lineno}:{error.offset}: SyntaxError: {error.msg}")
        if isinstance(error, SystemExit):
            return TaskError(key, f"importing {display} failed: it called sys.exit({error.code!r})")
        import traceback

        frames = [
            f"{display if f.filename == path else self._relative(f.filename)}:{f.lineno} in {f.name}"
            for f in traceback.extract_tb(error.__traceback__)
            if not f.filename.startswith("<") and not _is_import_machinery(f.filename)
        ]
        summary = f" (traceback: {' -> '.join(frames)})" if frames else ""
        return TaskError(key, f"importing {display} failed: {type(error).__name__}: {error}{summary}")

    def _relative(self, path: str) -> str:
        if path.startswith(self.workflow_dir + os.sep):
            return os.path.relpath(path, self.workflow_dir)
        return path


def _stamp(path: str) -> tuple[int, int, int]:
    status = os.stat(path)
    return (status.st_mtime_ns, status.st_size, status.st_ino)


def _stamp_or_none(path: str) -> tuple[int, int, int] | None:
    try:
        return _stamp(path)
    except OSError:
        return None


def _is_import_machinery(filename: str) -> bool:
    """Frames of Python's own importlib say nothing about the user's mistake."""
    import importlib

    return os.path.dirname(filename) == os.path.dirname(importlib.__file__)
