"""The "isolated floor" baseline of bench/targets_bench.py (W4, P1; see its
docstring): worker processes of their own interpreter, called over pipes,
each result durable in SQLite before anything that depends on it is sent.
targets_bench.py copies this file beside each workload's baseline.py and
tasks.py.
"""
import json
import sys

WORKER = """
import json, sys
import tasks
for line in sys.stdin:
    name, args = json.loads(line)
    sys.stdout.write(json.dumps(getattr(tasks, name)(*args)) + "\\n")
    sys.stdout.flush()
"""


class IsolatedWorkers:
    def __init__(self, count: int) -> None:
        import os, sqlite3, subprocess
        self.db = sqlite3.connect(".isolated.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("DROP TABLE IF EXISTS results")
        self.db.execute("CREATE TABLE results (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        env = dict(os.environ, PYTHONPATH=os.getcwd())
        self.workers = [subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
                        for _ in range(count)]

    def __enter__(self) -> "IsolatedWorkers":
        return self

    def __exit__(self, *exc) -> None:
        for w in self.workers:
            w.stdin.close()
            w.wait()
        self.db.close()

    def record(self, name: str, text: str) -> int:
        self.db.execute("INSERT INTO results VALUES (?, ?)", (name, text))  # autocommit: one transaction
        return json.loads(text)

    def call_one(self, name: str, args: list, function: str) -> int:
        w = self.workers[0]
        w.stdin.write(json.dumps([function, args]) + "\n")
        return self.record(name, w.stdout.readline())

    def call_many(self, calls: list) -> dict:
        import selectors
        pending = iter(calls)
        busy = {}
        results = {}
        sel = selectors.DefaultSelector()

        def send(w) -> None:
            call = next(pending, None)
            if call is None:
                return
            busy[w.stdout.fileno()] = (w, call[0])
            w.stdin.write(json.dumps([call[1], call[2]]) + "\n")

        for w in self.workers:
            sel.register(w.stdout, selectors.EVENT_READ)
            send(w)
        while busy:
            for key, _ in sel.select():
                w, name = busy.pop(key.fd)
                results[name] = self.record(name, w.stdout.readline())
                send(w)
        for w in self.workers:
            sel.unregister(w.stdout)
        return results
