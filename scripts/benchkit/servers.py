"""The app and the bare Flask app under the same gunicorn settings, on free local ports."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
# Used only while the repository has no gunicorn.conf.py: threaded workers, as DESIGN.md says.
FALLBACK_FLAGS = ("--workers", "2", "--worker-class", "gthread", "--threads", "4")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_settings() -> list[str]:
    if CONFIG.exists():
        return ["--config", str(CONFIG)]
    return list(FALLBACK_FLAGS)


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base_url: str

    def worker_memory(self) -> list[tuple[int, int]]:
        """(RSS, peak RSS) in KiB of each worker, read from /proc."""
        found = []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            for pid in children.read_text().split():
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
                fields = dict(line.split(":", 1) for line in status if ":" in line)
                found.append((int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(name: str, app_spec: str, env: dict, health_path: str, log: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *gunicorn_settings(),
               "--bind", f"127.0.0.1:{port}", app_spec]
    # As scripts/start and the systemd unit run it: with 16 threads a worker otherwise keeps
    # glibc's per-thread arenas, and its memory after the benchmark says more about malloc.
    env = {"MALLOC_ARENA_MAX": "2", **env}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    server = Server(name, process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited; see {log}")
        try:
            with urllib.request.urlopen(server.base_url + health_path, timeout=2):  # noqa: S310
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{name} did not answer within 60 s; see {log}")
