"""The request loop of ork-python-worker: imports task modules and runs task functions.

Part of the python executor's worker runtime, compiled into ork-python-worker,
which calls `main` once the embedded interpreter is up. The plugin talks to the
worker over a socket on fd 3 with JSON lines (a header line, and for some
messages one raw payload line after it); fd 1 and 2 are pipes the plugin reads
as the current task's logs, so prints, logging, C-level writes and child
processes all land there. After each task the worker flushes every buffer
writing to them before it replies: the plugin then finds all of the task's
output already in the pipes when the reply arrives, with no end marker to
wait for.

Requests:  {"type": "introspect", "id", "file"|"module", "function", "display"}
           {"type": "run", "id", "file"|"module", "function", "display", "workdir", "env": ["K=V"]}
           + payload line: the input object
Replies:   {"type": "ready", "pid", "python"}               once, at start
           {"type": "signature", "id", "ok", "signature"|"errors", "source", "code_files"}
           {"type": "result", "id", "ok", "error"?, "payload"?}
           + payload line (when "payload" is true): the output JSON
"""

from __future__ import annotations

import codecs
import io
import os
import site
import sys

import ork_json
from ork_bind import BindingError, bind_arguments, plain_signature, plan_call
from ork_modules import LoadedModule, ModuleCache, TaskError, def_location, find_function
from ork_serialise import SerialiseError, to_json_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO, Callable

# Every worker start is on the critical path of a run (`ork run` of one task
# waits for it), so the path that runs a task imports no standard module that
# the interpreter has not loaded at start (codecs, io, os and site are):
# introspection of annotations other than int/str/bool/float/None
# (ork_introspect with inspect, typing and dataclasses), the code files of a
# task file that imports anything (ork_code_files' modulefinder), conversions
# into annotated types (ork_convert), and modules only an error path or an
# unusual task needs (difflib, traceback, ctypes, asyncio, json) are imported
# where they are used. The same holds for introspecting a plain task, which a
# fresh workflow's `ork run` also waits for. plugins/python/tests/run_test.cpp
# (Binding.APlainTaskRunsWithoutImportingHeavyStandardModules) and
# signature_test.cpp (Signature.APlainTaskIsDescribedWithoutImportingHeavyStandardModules)
# hold this.

CHANNEL_FD = 3


class Options:
    """Command line of ork-python-worker."""

    def __init__(self, workflow_dir: str) -> None:
        self.workflow_dir = workflow_dir
        self.site_packages: list[str] = []
        self.executable: str | None = None


def main(argv: list[str]) -> int:
    """Serves requests until the plugin closes the channel; never returns normally."""
    options = parse_options(argv)
    configure_interpreter(options)
    channel = Channel(CHANNEL_FD)
    # platform.python_version() reads the same string, at the cost of importing platform.
    channel.send({"type": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    worker = Worker(options.workflow_dir, channel)
    while (request := channel.receive()) is not None:
        worker.handle(request)
    # The plugin went away (shutdown, or the host died): leave at once, without
    # waiting for threads a task may have left running.
    os._exit(0)


def parse_options(argv: list[str]) -> Options:
    options = Options(workflow_dir=os.getcwd())
    arguments = iter(argv)
    for argument in arguments:
        value = next(arguments, None)
        if value is None:
            raise SystemExit(f"ork-python-worker: {argument} needs a value")
        if argument == "--workflow-dir":
            options.workflow_dir = os.path.abspath(value)
        elif argument == "--site-packages":
            options.site_packages.append(value)
        elif argument == "--executable":
            options.executable = value
        else:
            raise SystemExit(f"ork-python-worker: unknown argument {argument}")
    return options


def configure_interpreter(options: Options) -> None:
    """Import path, interpreter identity and log-friendly stdio for every task this worker runs."""
    for directory in reversed(options.site_packages):
        _prepend_site_dir(directory)
    sys.path.insert(0, options.workflow_dir)
    if options.executable:
        sys.executable = options.executable
    # Bytecode caches are keyed on whole-second mtimes; an edit within the same
    # second as the last import would be missed. Compiling from source is cheap.
    sys.dont_write_bytecode = True
    codecs.register_error("ork_logs", _encode_log_error)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="ork_logs", line_buffering=True)
    os.chdir(options.workflow_dir)


def _prepend_site_dir(directory: str) -> None:
    # addsitedir also runs the directory's .pth files (editable installs), but appends.
    before = list(sys.path)
    site.addsitedir(directory)
    added = [entry for entry in sys.path if entry not in before]
    sys.path[:] = added + before


def _encode_log_error(error: UnicodeError) -> tuple[str | bytes, int]:
    """Prints of undecodable bytes (surrogate escapes) go out as those bytes; other lone surrogates as \\udxxx."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if all(0xDC80 <= ord(char) <= 0xDCFF for char in chunk):
        return bytes(ord(char) - 0xDC00 for char in chunk), error.end
    return "".join(f"\\u{ord(char):04x}" for char in chunk), error.end


class Channel:
    """JSON lines over the plugin's socket."""

    def __init__(self, fd: int) -> None:
        self.reader: BinaryIO = io.open(fd, "rb", buffering=1 << 16, closefd=False)
        self.writer: BinaryIO = io.open(fd, "wb", buffering=1 << 16, closefd=False)

    def receive(self) -> dict[str, Any] | None:
        line = self.reader.readline()
        if not line:
            return None
        message: dict[str, Any] = ork_json.loads(line)
        return message

    def receive_payload(self) -> bytes:
        return self.reader.readline()

    def send(self, header: dict[str, Any], payload: str | None = None) -> None:
        if payload is not None:
            header["payload"] = True
        self.writer.write(ork_json.dumps(header).encode() + b"\n")
        if payload is not None:
            self.writer.write(_encode_payload(payload) + b"\n")
        self.writer.flush()


def _encode_payload(payload: str) -> bytes:
    try:
        return payload.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates in a str: re-encode them as JSON escapes
        import json

        return json.dumps(json.loads(payload), separators=(",", ":")).encode("ascii")


class Worker:
    """Handles requests; keeps imported task modules between them."""

    def __init__(self, workflow_dir: str, channel: Channel) -> None:
        self.workflow_dir = workflow_dir
        self.channel = channel
        self.modules = ModuleCache(workflow_dir)
        self.flush_c_stdio: Callable[[], None] = _c_stdio_flusher()

    def handle(self, request: dict[str, Any]) -> None:
        kind = request.get("type")
        if kind == "introspect":
            try:
                reply = self.introspect(request)
            finally:
                self.end_logs()  # prints made while importing must not reach the next task's logs
            self.channel.send(reply)
        elif kind == "run":
            payload = self.channel.receive_payload()
            header, output = self.run(request, payload)
            self.channel.send(header, output)
        else:
            self.channel.send({"type": "error", "id": request.get("id"), "error": f"unknown request {kind!r}"})

    def introspect(self, request: dict[str, Any]) -> dict[str, Any]:
        from ork_code_files import task_code_files

        reply: dict[str, Any] = {"type": "signature", "id": request.get("id")}
        try:
            loaded = self.modules.load(request)
            source = getattr(loaded.module, "__file__", None)
            reply["source"] = source
            if source:
                reply["code_files"] = task_code_files(source, self.workflow_dir)
            name = request.get("function") or "main"
            if name not in loaded.signatures:
                function = find_function(loaded, name)
                loaded.signatures[name] = plain_signature(function) or _described(function, name, loaded)
            reply.update(ok=True, signature=loaded.signatures[name])
        except TaskError as error:
            reply.update(ok=False, errors=[{"key": error.key, "message": error.message}])
        except _SignatureRefused as error:
            reply.update(ok=False, errors=[{"key": "function", "message": m} for m in error.messages])
        return reply

    def run(self, request: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], str | None]:
        header: dict[str, Any] = {"type": "result", "id": request.get("id")}
        restore_environment = _apply_environment(request.get("env") or [])
        try:
            os.chdir(request.get("workdir") or self.workflow_dir)
            output = self.call(request, ork_json.loads(payload))
            header["ok"] = True
            return header, output
        except TaskError as error:
            header.update(ok=False, error=error.message)
            return header, None
        finally:
            restore_environment()
            self.end_logs()

    def call(self, request: dict[str, Any], task_input: Any) -> str:
        loaded = self.modules.load(request)
        name = request.get("function") or "main"
        function = find_function(loaded, name)
        if name not in loaded.plans:
            loaded.plans[name] = plan_call(function, name)
        if not isinstance(task_input, dict):
            raise TaskError("", f"the task input must be a JSON object, got {type(task_input).__name__}")
        try:
            arguments = bind_arguments(loaded.plans[name], task_input)
        except BindingError as error:
            raise TaskError("", str(error)) from error
        result = _call_user_function(function, arguments, name)
        try:
            return to_json_text(result)
        except SerialiseError as error:
            raise TaskError("", str(error)) from error

    def end_logs(self) -> None:
        """Puts the request's buffered output into the pipes, before the reply is sent."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a task may have closed or replaced the stream
                pass
        self.flush_c_stdio()


class _SignatureRefused(Exception):
    """ork_introspect's SignatureError, caught without importing ork_introspect for a plain function."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _described(function: Callable[..., Any], name: str, loaded: LoadedModule) -> dict[str, Any]:
    """The signature of a function plain_signature does not read: ork_introspect's, with inspect and typing."""
    from ork_introspect import SignatureError, describe_function

    try:
        return describe_function(function, name, def_location(function, loaded))
    except SignatureError as error:
        raise _SignatureRefused(error.messages) from error


def _call_user_function(function: Callable[..., Any], arguments: dict[str, Any], name: str) -> Any:
    try:
        if _is_coroutine_function(function):
            import asyncio  # only async tasks pay for importing it

            return asyncio.run(function(**arguments))
        return function(**arguments)
    except SystemExit as error:
        raise TaskError("", f"function '{name}' called sys.exit({error.code!r})") from error
    except BaseException as error:
        _print_user_traceback(error)
        message = str(error)
        location = _innermost_user_frame(error)
        text = f"{type(error).__name__}: {message}" if message else type(error).__name__
        raise TaskError("", f"{text} (at {location})" if location else text) from error


def _is_coroutine_function(function: Callable[..., Any]) -> bool:
    """inspect.iscoroutinefunction, without importing inspect for a plain function."""
    if type(function) is _FUNCTION and not hasattr(function, "_is_coroutine_marker"):
        return bool(function.__code__.co_flags & _CO_COROUTINE)  # type: ignore[attr-defined]
    import inspect

    return inspect.iscoroutinefunction(function)


_FUNCTION: type = type(lambda: None)
_CO_COROUTINE = 0x80


def _print_user_traceback(error: BaseException) -> None:
    import traceback
    # Drop the first frame: it is this runtime's call into the task function.
    tb = error.__traceback__.tb_next if error.__traceback__ else None
    lines = traceback.format_exception(type(error), error, tb)
    sys.stderr.write("".join(lines))


def _innermost_user_frame(error: BaseException) -> str | None:
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if not frame.filename.startswith("<"):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return None


def _apply_environment(entries: list[str]) -> Callable[[], None]:
    """Sets the task's env and returns what restores the worker's environment.

    The restore also undoes changes the task made itself, so that nothing
    leaks into the next task on this worker. The snapshot and the comparison
    work on os.environ's underlying dict of bytes (the one os.environb shares):
    going through os.environ decodes every key and value on each access, which
    cost ~70 us per task with 40 variables, most of a trivial task's time.
    """
    data: dict[bytes, bytes] = os.environ._data  # type: ignore[attr-defined]
    before = dict(data)
    for entry in entries:
        key, _, value = entry.partition("=")
        os.environ[key] = value

    def restore() -> None:
        if data == before:
            return
        # os.environb's item assignment and deletion also call putenv/unsetenv,
        # so child processes of the next task see the restored environment.
        for key in data.keys() - before.keys():
            del os.environb[key]
        for key, value in before.items() - data.items():
            os.environb[key] = value

    return restore


def _c_stdio_flusher() -> Callable[[], None]:
    """fflush(NULL): C extensions' printf output sits in libc's buffer while fd 1 is a pipe.

    ork-python-worker provides it natively (importing ctypes for one call
    cost every worker start ~1 ms); ctypes remains the way outside it.
    """
    try:
        from ork_worker_native import flush_c_stdio

        return flush_c_stdio
    except ImportError:
        pass
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        fflush = libc.fflush
    except (OSError, AttributeError):
        return lambda: None
    fflush.argtypes = [ctypes.c_void_p]

    def flush() -> None:
        fflush(None)

    return flush
