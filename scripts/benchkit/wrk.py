"""Run wrk against one URL and read its figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

THREADS, CONNECTIONS = 2, 16
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Result:
    requests_per_second: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors


def available() -> bool:
    return shutil.which("wrk") is not None


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run(url: str, seconds: float, headers: dict[str, str]) -> Result:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds:g}s",
               "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(rate, _milliseconds(p99.group(1)) if p99 else float("nan"), errors)
