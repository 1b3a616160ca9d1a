"""`ork trigger` / `ork cancel` against an https:// server: the token goes only to a server whose certificate verifies.

A local TLS server (Python's `ssl`, a certificate made here with the openssl
command) answers like `ork serve` and records every request it reads. With
ORK_API_TOKEN set:
- a self-signed certificate ork has not been told to trust is refused: exit 2,
  an error naming the certificate, and the server never read a request (so it
  never saw the Authorization header); ork does not fall back to running the
  workflow here either;
- a certificate that verifies against a trusted CA but names another host is
  refused the same way;
- with `--ca-file` (or ORK_CA_FILE) naming the certificate, trigger and cancel
  go through and the server receives the bearer token.
"""
from __future__ import annotations

import http.server
import json
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from faults_support import check, main_wrapper, ork_environment, parse_common_arguments, work_folder

TOKEN = "tls-test-token-5be1"
SKIP = 77


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers the three calls trigger and cancel make, recording each request."""

    requests: list[tuple[str, str, str | None]] = []

    def do_GET(self) -> None:
        self.record()
        if self.path == "/api/workflows/wf":
            self.answer(200, {"name": "wf", "inputs": []})
        else:
            self.answer(404, {"error": {"message": "no such route"}})

    def do_POST(self) -> None:
        self.record()
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == "/api/workflows/wf/runs":
            self.answer(201, {"run_id": "r-tls-1", "existing": False})
        elif self.path == "/api/runs/r-tls-1/cancel":
            self.answer(202, {"outcome": "cancelling"})
        else:
            self.answer(404, {"error": {"message": "no such route"}})

    def record(self) -> None:
        RecordingHandler.requests.append((self.command, self.path, self.headers.get("Authorization")))

    def answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def make_certificate(folder: Path, name: str, subject_name: str, alt_names: str) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) and its key."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={subject_name}",
                    "-addext", f"subjectAltName={alt_names}"],
                   check=True, capture_output=True)
    return cert, key


@contextmanager
def tls_server(cert: Path, key: Path) -> Iterator[int]:
    """Serves HTTPS on 127.0.0.1 with `cert`; yields the port."""
    RecordingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def run_ork(ork: Path, folder: Path, args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = ork_environment()
    environment.pop("ORK_CA_FILE", None)
    environment.pop("ORK_SERVER", None)
    environment["ORK_API_TOKEN"] = TOKEN
    environment.update(extra_env)
    return subprocess.run([str(ork), "--db", str(folder / "ork.db"), *args], cwd=folder, env=environment,
                          capture_output=True, text=True, timeout=60)


def expect_refused(ork: Path, folder: Path, port: int, args: list[str], extra_env: dict[str, str],
                   label: str) -> None:
    result = run_ork(ork, folder, [*args, "--server", f"https://127.0.0.1:{port}"], extra_env)
    check(result.returncode == 2, f"{label}: ork exited {result.returncode}, expected 2; stderr:\n{result.stderr}")
    check("certificate did not verify" in result.stderr and "nothing was sent" in result.stderr,
          f"{label}: the error should say the certificate did not verify; stderr:\n{result.stderr}")
    check("no ork serve answers" not in result.stderr and not (folder / "ork.db").exists(),
          f"{label}: ork fell back to acting locally; stderr:\n{result.stderr}")
    check(RecordingHandler.requests == [],
          f"{label}: the server read requests it should never have seen: {RecordingHandler.requests}")
    check(TOKEN not in result.stderr + result.stdout, f"{label}: the token was printed")


def main() -> int:
    args = parse_common_arguments(__doc__.splitlines()[0])
    if shutil.which("openssl") is None:
        print("SKIP: no openssl command to make a certificate", file=sys.stderr)
        return SKIP
    ork = args.ork.resolve()
    with work_folder(args.workdir, "ork-faults-tls-") as folder:
        cert, key = make_certificate(folder, "local", "127.0.0.1", "IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost")
        other_cert, other_key = make_certificate(folder, "other", "other.example", "DNS:other.example")

        with tls_server(cert, key) as port:
            expect_refused(ork, folder, port, ["trigger", "wf"], {}, "untrusted self-signed, trigger")
            expect_refused(ork, folder, port, ["cancel", "r-tls-1"], {}, "untrusted self-signed, cancel")

            trusted = run_ork(ork, folder, ["trigger", "wf", "--server", f"https://127.0.0.1:{port}",
                                            "--ca-file", str(cert)], {})
            check(trusted.returncode == 0, f"trusted trigger exited {trusted.returncode}; stderr:\n{trusted.stderr}")
            check("run r-tls-1 of wf started" in trusted.stdout, f"trusted trigger printed:\n{trusted.stdout}")
            cancelled = run_ork(ork, folder, ["cancel", "r-tls-1", "--server", f"https://127.0.0.1:{port}"],
                                {"ORK_CA_FILE": str(cert)})
            check(cancelled.returncode == 0, f"trusted cancel exited {cancelled.returncode}; stderr:\n"
                                             f"{cancelled.stderr}")
            check(RecordingHandler.requests == [("GET", "/api/workflows/wf", f"Bearer {TOKEN}"),
                                                ("POST", "/api/workflows/wf/runs", f"Bearer {TOKEN}"),
                                                ("POST", "/api/runs/r-tls-1/cancel", f"Bearer {TOKEN}")],
                  f"the trusted server should have seen the three calls with the token: {RecordingHandler.requests}")

        with tls_server(other_cert, other_key) as port:
            expect_refused(ork, folder, port, ["trigger", "wf"], {"ORK_CA_FILE": str(other_cert)},
                           "trusted certificate for another host name")
    print("https: unverified and misnamed certificates refused before sending; trusted CA accepted")
    return 0


if __name__ == "__main__":
    main_wrapper(main)
