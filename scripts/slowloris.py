"""Slow clients must not stall the site: open N slowloris-style connections (each sends its
request header one byte at a time and never finishes) and measure /healthz meanwhile.

    python scripts/slowloris.py [--url http://127.0.0.1:8000] [--connections 8] [--seconds 20]

Exits 1 when any /healthz answer took a second or more (or never came). Run it against
gunicorn started with the shipped gunicorn.conf.py (scripts/start does).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import urllib.request
from urllib.parse import urlsplit

HEADER = b"GET / HTTP/1.1\r\nHost: linli\r\nUser-Agent: slowloris\r\nX-Padding: " + b"a" * 4000


def slow_client(host: str, port: int, stop: threading.Event, opened: list) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=5)
    except OSError:
        return
    opened.append(sock)
    try:
        for byte in HEADER:
            if stop.is_set():
                break
            sock.send(bytes([byte]))
            stop.wait(0.5)
    except OSError:
        pass  # the server gave up on us: that is allowed
    finally:
        sock.close()


def measure(url: str) -> float:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http only
            response.read()
    except OSError:
        return float("inf")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    parts = urlsplit(args.url)
    host, port = parts.hostname, parts.port or 80
    health = f"{args.url.rstrip('/')}/healthz"

    stop, opened = threading.Event(), []
    clients = [threading.Thread(target=slow_client, args=(host, port, stop, opened), daemon=True)
               for _ in range(args.connections)]
    for client in clients:
        client.start()
    time.sleep(1)  # every slow connection is open and has started sending
    timings = []
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        timings.append(measure(health))
        time.sleep(0.25)
    stop.set()
    worst = max(timings)
    print(f"{len(opened)} slow connection(s) open; {len(timings)} /healthz answers: "
          f"median {statistics.median(timings) * 1000:.0f} ms, worst {worst * 1000:.0f} ms")
    if worst >= 1.0:
        print("FAIL: /healthz took a second or more while slow clients were connected")
        return 1
    print("OK: under a second throughout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
