"""The files that make up a Python task's code, for `cache:` (ork_check_sink.code_files).

Part of the python executor's worker runtime, compiled into ork-python-worker.
A task's code is its own file plus every module it imports, directly or
through other modules, that lives inside the workflow directory: the host
hashes their contents into the task's cache key, so editing a helper module
means a new key. Imports are read from the source (modulefinder), not from
sys.modules: a warm worker holds the modules of every task it has imported,
and a function-level or conditional import counts too. Modules outside the
workflow directory (the standard library, installed packages) are not part of
the identity; they change with the environment, not with the workflow.
"""

from __future__ import annotations

import os
import sys


def task_code_files(source: str, workflow_dir: str) -> list[str]:
    """Absolute paths of `source` and the workflow-directory modules it imports."""
    if not _may_import(source):
        return [os.path.realpath(source)]
    import modulefinder  # only a file that imports something needs it (~3 ms of imports: dis, ast, ...)

    root = os.path.realpath(workflow_dir)
    search = [root] + [entry for entry in sys.path if _inside(os.path.realpath(entry or "."), root)]
    finder = modulefinder.ModuleFinder(path=search)
    try:
        finder.run_script(source)
    except (ImportError, SyntaxError, OSError, ValueError):
        # The import itself worked (introspection got this far), so a module
        # modulefinder cannot parse is still read below as far as it got.
        pass
    files = {os.path.realpath(source)}
    for module in finder.modules.values():
        path = module.__file__
        if path and path.endswith(".py") and _inside(os.path.realpath(path), root):
            files.add(os.path.realpath(path))
    return sorted(files)


def _may_import(source: str) -> bool:
    """Whether the file has the word `import` anywhere; every import statement has it.

    A keyword is never split across lines or escaped in Python source, so a
    file without the word compiles to no import that modulefinder would follow:
    its code is the file alone. A file that cannot be read is left to modulefinder.
    """
    try:
        with open(source, "rb") as file:
            return b"import" in file.read()
    except OSError:
        return True


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)
